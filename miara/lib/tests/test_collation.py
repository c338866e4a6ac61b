"""Names in the order of the reader's alphabet, checked against published alphabets."""

from miara.lib.collation import collation_key, sorted_by_name

POLISH = [
    "Żory",
    "Zabrze",
    "Łaziska Górne",
    "Lubliniec",
    "Ząbki",
    "Zawiercie",
    "Świętochłowice",
    "Sosnowiec",
    "Łódź",
    "Ćmielów",
    "Czeladź",
]
CZECH = [
    "Cheb",
    "Hranice",
    "Chomutov",
    "Česká Lípa",
    "Cvikov",
    "Ústí nad Labem",
    "Uherský Brod",
    "Řevnice",
    "Rokycany",
    "Žatec",
    "Zlín",
    "Šumperk",
    "Svitavy",
]


def by(language, names):
    return sorted(names, key=lambda n: collation_key(n, language))


def test_it_sorts_polish_letters_after_their_base_letter():
    assert by("pl", POLISH) == [
        "Czeladź", "Ćmielów", "Lubliniec", "Łaziska Górne", "Łódź", "Sosnowiec",
        "Świętochłowice", "Zabrze", "Zawiercie", "Ząbki", "Żory",
    ]  # fmt: skip


def test_it_sorts_czech_ch_after_h_and_hacek_letters_apart():
    assert by("cs", CZECH) == [
        "Cvikov", "Česká Lípa", "Hranice", "Cheb", "Chomutov", "Rokycany", "Řevnice",
        "Svitavy", "Šumperk", "Uherský Brod", "Ústí nad Labem", "Zlín", "Žatec",
    ]  # fmt: skip


def test_english_sorts_accented_letters_with_their_base_letter():
    assert by("en", ["Zabrze", "Łódź", "Lubliniec", "Ústí nad Labem", "Brno"]) == [
        "Brno", "Łódź", "Lubliniec", "Ústí nad Labem", "Zabrze",
    ]  # fmt: skip


def test_the_order_is_total_and_case_insensitive_first():
    names = ["gmina A", "Gmina A", "Gmina a", "Gmina-B", "Gmina B"]
    ordered = by("pl", names)
    assert sorted(ordered, key=lambda n: collation_key(n, "pl")) == ordered
    assert ordered.index("Gmina B") > ordered.index("gmina A")


def test_sorted_by_name_reads_the_name_of_each_item():
    class U:
        def __init__(self, name):
            self.name = name

    assert [u.name for u in sorted_by_name([U("Żory"), U("Zabrze")], language="pl")] == [
        "Zabrze",
        "Żory",
    ]
