"""Pages of data collection: `entry` for units' editors and managers, `coordination` for
coordinators (cycles, completion board, review). Each module owns its own URL patterns."""
