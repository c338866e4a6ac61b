"""Date formats per language, overriding Django's where they read badly in an office.

Django's English formats are American (12/03/2026, "Jan. 17, 2027") and its Polish short
date is 03-12-2026; Polish and Czech offices write 03.12.2026, and an English page read in
Warsaw or Prague must not leave the reader guessing which number is the month. Only the
date and time formats are set here; Django keeps the rest (separators, input formats).
"""
