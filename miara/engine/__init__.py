"""The pure computational core of miara.

Nothing in this package imports Django or touches a database: Polars frames go in,
Polars frames come out. A notebook user or a batch job can import it alone.
"""
