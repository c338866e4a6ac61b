"""The hand-written catalogue of the demo programme (Silesian benchmarking group).

Everything here is data: service areas, variables, indicators and peer groups, with names in
English, Polish and Czech. `demo_catalogue()` in `generator.py` turns these tables into the
catalogue structure of docs/contracts.md.
"""

from __future__ import annotations

# --- which unit types report which service areas -------------------------------------------

CITY = "city_county"
COUNTY = "county"
GMINA_TYPES = ("gmina_urban", "gmina_rural", "gmina_mixed")
ALL_TYPES = (CITY, *GMINA_TYPES, COUNTY)
CITY_AND_GMINAS = (CITY, *GMINA_TYPES)
CITY_AND_COUNTIES = (CITY, COUNTY)

#: Building permits and vehicles are county tasks (done by counties and by cities with county
#: rights); waste, property tax, civil status, business register, citizens' affairs and street
#: lighting are gmina tasks (done by gminas and by cities with county rights).
AREA_UNIT_TYPES: dict[str, tuple[str, ...]] = {
    "PERMITS": CITY_AND_COUNTIES,
    "BUSINESS": CITY_AND_GMINAS,
    "CIVIL": CITY_AND_GMINAS,
    "WASTE": CITY_AND_GMINAS,
    "PROPTAX": CITY_AND_GMINAS,
    "VEHICLES": CITY_AND_COUNTIES,
    "CITIZENS": CITY_AND_GMINAS,
    "SCHOOLS": ALL_TYPES,
    "NGO": ALL_TYPES,
    "HR": ALL_TYPES,
    "LIGHTING": CITY_AND_GMINAS,
    "OFFICE": ALL_TYPES,
}

# --- service areas: (code, en, pl, cs) -------------------------------------------------------

SERVICE_AREAS: list[tuple[str, str, str, str]] = [
    ("PERMITS", "Building permits", "Pozwolenia na budowę", "Stavební povolení"),
    (
        "BUSINESS",
        "Business activity register",
        "Ewidencja działalności gospodarczej",
        "Evidence podnikatelů",
    ),
    ("CIVIL", "Civil-status registration", "Rejestracja stanu cywilnego", "Matriční agenda"),
    (
        "WASTE",
        "Municipal waste management",
        "Gospodarka odpadami komunalnymi",
        "Nakládání s komunálním odpadem",
    ),
    (
        "PROPTAX",
        "Property-tax receivables",
        "Należności z tytułu podatku od nieruchomości",
        "Pohledávky z daně z nemovitých věcí",
    ),
    (
        "VEHICLES",
        "Vehicle registration and driving licences",
        "Rejestracja pojazdów i prawa jazdy",
        "Registrace vozidel a řidičské průkazy",
    ),
    (
        "CITIZENS",
        "Citizens' affairs: population register and ID cards",
        "Sprawy obywatelskie: ewidencja ludności i dowody osobiste",
        "Občanské záležitosti: evidence obyvatel a občanské průkazy",
    ),
    ("SCHOOLS", "Public-school network", "Sieć szkół publicznych", "Síť veřejných škol"),
    (
        "NGO",
        "Social services commissioned from NGOs",
        "Zlecanie zadań publicznych organizacjom pozarządowym",
        "Veřejné služby svěřené neziskovým organizacím",
    ),
    ("HR", "Human-resources management", "Zarządzanie zasobami ludzkimi", "Řízení lidských zdrojů"),
    ("LIGHTING", "Street lighting", "Oświetlenie ulic", "Veřejné osvětlení"),
    (
        "OFFICE",
        "General functioning of the office",
        "Funkcjonowanie urzędu",
        "Fungování úřadu",
    ),
]

# --- variables: (code, area or None, unit, en, pl, cs); all have min 0 -----------------------

VARIABLES: list[tuple[str, str | None, str, str, str, str]] = [
    # general context, reported by every unit
    ("POPULATION", None, "residents", "Population", "Liczba mieszkańców", "Počet obyvatel"),
    ("AREA_KM2", None, "km²", "Area", "Powierzchnia", "Rozloha"),
    (
        "BUDGET_TOTAL",
        None,
        "PLN",
        "Total budget expenditure",
        "Wydatki budżetu ogółem",
        "Celkové výdaje rozpočtu",
    ),
    (
        "STAFF_FTE",
        None,
        "FTE",
        "Office staff",
        "Zatrudnienie w urzędzie",
        "Zaměstnanci úřadu",
    ),
    # building permits
    (
        "PERMIT_APPLICATIONS",
        "PERMITS",
        "count",
        "Building-permit applications received",
        "Złożone wnioski o pozwolenie na budowę",
        "Přijaté žádosti o stavební povolení",
    ),
    (
        "PERMITS_ISSUED",
        "PERMITS",
        "count",
        "Building-permit decisions issued",
        "Wydane decyzje w sprawie pozwolenia na budowę",
        "Vydaná rozhodnutí ve věci stavebního povolení",
    ),
    (
        "PERMITS_IN_DEADLINE",
        "PERMITS",
        "count",
        "Decisions issued within the statutory 65-day deadline",
        "Decyzje wydane w ustawowym terminie 65 dni",
        "Rozhodnutí vydaná v zákonné lhůtě 65 dnů",
    ),
    (
        "PERMIT_DAYS_TOTAL",
        "PERMITS",
        "days",
        "Total days from application to decision (sum over decisions)",
        "Łączna liczba dni od złożenia wniosku do wydania decyzji",
        "Celkový počet dní od podání žádosti do vydání rozhodnutí",
    ),
    (
        "PERMITS_APPEALED",
        "PERMITS",
        "count",
        "Decisions appealed",
        "Decyzje, od których wniesiono odwołanie",
        "Rozhodnutí, proti nimž bylo podáno odvolání",
    ),
    (
        "PERMITS_OVERTURNED",
        "PERMITS",
        "count",
        "Decisions overturned on appeal",
        "Decyzje uchylone w postępowaniu odwoławczym",
        "Rozhodnutí zrušená v odvolacím řízení",
    ),
    (
        "PERMIT_STAFF_COST",
        "PERMITS",
        "PLN",
        "Staff cost of handling building permits",
        "Koszty osobowe obsługi pozwoleń na budowę",
        "Osobní náklady na vyřizování stavebních povolení",
    ),
    (
        "PERMIT_FTE",
        "PERMITS",
        "FTE",
        "Staff handling building permits",
        "Etaty obsługujące pozwolenia na budowę",
        "Úvazky na vyřizování stavebních povolení",
    ),
    # business activity register (CEIDG)
    (
        "BUSINESS_APPLICATIONS",
        "BUSINESS",
        "count",
        "Business-register applications handled (entries, changes, suspensions, deletions)",
        "Obsłużone wnioski CEIDG (wpisy, zmiany, zawieszenia, wykreślenia)",
        "Vyřízená podání do evidence podnikatelů (zápisy, změny, přerušení, výmazy)",
    ),
    (
        "BUSINESS_NEXT_DAY",
        "BUSINESS",
        "count",
        "Applications sent to CEIDG by the next working day",
        "Wnioski przesłane do CEIDG najpóźniej następnego dnia roboczego",
        "Podání předaná do CEIDG nejpozději následující pracovní den",
    ),
    (
        "BUSINESS_FTE",
        "BUSINESS",
        "FTE",
        "Staff handling the business register",
        "Etaty obsługujące ewidencję działalności gospodarczej",
        "Úvazky na agendu evidence podnikatelů",
    ),
    (
        "BUSINESS_STAFF_COST",
        "BUSINESS",
        "PLN",
        "Staff cost of the business register",
        "Koszty osobowe obsługi ewidencji działalności gospodarczej",
        "Osobní náklady na agendu evidence podnikatelů",
    ),
    (
        "BUSINESS_ACTIVE",
        "BUSINESS",
        "count",
        "Active sole traders registered in the area",
        "Aktywni przedsiębiorcy wpisani do CEIDG na terenie jednostki",
        "Aktivní podnikatelé (fyzické osoby) evidovaní v území",
    ),
    # civil-status registration
    (
        "CIVIL_EVENTS",
        "CIVIL",
        "count",
        "Civil-status events registered (births, marriages, deaths)",
        "Zarejestrowane zdarzenia stanu cywilnego (urodzenia, małżeństwa, zgony)",
        "Zapsané matriční události (narození, sňatky, úmrtí)",
    ),
    (
        "CIVIL_CERTIFICATES",
        "CIVIL",
        "count",
        "Civil-status certificates issued",
        "Wydane odpisy aktów stanu cywilnego",
        "Vydané matriční doklady",
    ),
    (
        "CIVIL_ONLINE_REQUESTS",
        "CIVIL",
        "count",
        "Certificate requests submitted electronically",
        "Wnioski o odpisy złożone drogą elektroniczną",
        "Žádosti o matriční doklady podané elektronicky",
    ),
    (
        "CIVIL_FTE",
        "CIVIL",
        "FTE",
        "Civil-status registry staff",
        "Etaty w urzędzie stanu cywilnego",
        "Úvazky matriky",
    ),
    (
        "CIVIL_STAFF_COST",
        "CIVIL",
        "PLN",
        "Staff cost of the civil-status registry",
        "Koszty osobowe urzędu stanu cywilnego",
        "Osobní náklady matriky",
    ),
    # municipal waste
    (
        "WASTE_COLLECTED_T",
        "WASTE",
        "t",
        "Municipal waste collected",
        "Zebrane odpady komunalne",
        "Sebraný komunální odpad",
    ),
    (
        "WASTE_RECYCLED_T",
        "WASTE",
        "t",
        "Municipal waste prepared for re-use and recycled",
        "Odpady komunalne przygotowane do ponownego użycia i poddane recyklingowi",
        "Komunální odpad připravený k opětovnému použití a recyklovaný",
    ),
    (
        "WASTE_SYSTEM_COST",
        "WASTE",
        "PLN",
        "Cost of the municipal waste system",
        "Koszty systemu gospodarowania odpadami komunalnymi",
        "Náklady systému nakládání s komunálním odpadem",
    ),
    (
        "WASTE_FEES_DUE",
        "WASTE",
        "PLN",
        "Waste-management fees due",
        "Należne opłaty za gospodarowanie odpadami komunalnymi",
        "Předepsané poplatky za komunální odpad",
    ),
    (
        "WASTE_FEES_PAID",
        "WASTE",
        "PLN",
        "Waste-management fees collected",
        "Wpłacone opłaty za gospodarowanie odpadami komunalnymi",
        "Vybrané poplatky za komunální odpad",
    ),
    (
        "WASTE_COMPLAINTS",
        "WASTE",
        "count",
        "Complaints about waste collection",
        "Reklamacje dotyczące odbioru odpadów",
        "Stížnosti na svoz odpadu",
    ),
    # property-tax receivables
    (
        "PROPTAX_DUE",
        "PROPTAX",
        "PLN",
        "Property tax due for the year",
        "Należny podatek od nieruchomości za rok",
        "Předepsaná daň z nemovitých věcí za rok",
    ),
    (
        "PROPTAX_ARREARS",
        "PROPTAX",
        "PLN",
        "Property-tax arrears at year end",
        "Zaległości w podatku od nieruchomości na koniec roku",
        "Nedoplatky na dani z nemovitých věcí ke konci roku",
    ),
    (
        "PROPTAX_RECOVERED",
        "PROPTAX",
        "PLN",
        "Arrears recovered during the year",
        "Zaległości odzyskane w ciągu roku",
        "Nedoplatky vymožené během roku",
    ),
    (
        "PROPTAX_REMINDERS",
        "PROPTAX",
        "count",
        "Payment reminders sent",
        "Wysłane upomnienia",
        "Odeslané upomínky",
    ),
    (
        "PROPTAX_ENFORCEMENT",
        "PROPTAX",
        "count",
        "Enforcement titles issued",
        "Wystawione tytuły wykonawcze",
        "Vydané exekuční příkazy",
    ),
    # vehicles and driving licences
    (
        "VEH_REGISTRATIONS",
        "VEHICLES",
        "count",
        "Vehicle registrations (incl. re-registrations)",
        "Rejestracje pojazdów (łącznie z przerejestrowaniami)",
        "Registrace vozidel (včetně přeregistrací)",
    ),
    (
        "VEH_LICENCES",
        "VEHICLES",
        "count",
        "Driving licences issued",
        "Wydane prawa jazdy",
        "Vydané řidičské průkazy",
    ),
    (
        "VEH_AVG_WAIT_MIN",
        "VEHICLES",
        "minutes",
        "Average customer waiting time",
        "Średni czas oczekiwania klienta na obsługę",
        "Průměrná čekací doba klienta",
    ),
    (
        "VEH_VISITS",
        "VEHICLES",
        "count",
        "Customer visits at the counter",
        "Wizyty klientów w wydziale komunikacji",
        "Návštěvy klientů na přepážce",
    ),
    (
        "VEH_ONLINE_BOOKINGS",
        "VEHICLES",
        "count",
        "Visits booked online",
        "Wizyty zarezerwowane przez internet",
        "Návštěvy rezervované online",
    ),
    (
        "VEH_FTE",
        "VEHICLES",
        "FTE",
        "Vehicle and licence department staff",
        "Etaty w wydziale komunikacji",
        "Úvazky agendy registru vozidel a řidičů",
    ),
    (
        "VEH_STAFF_COST",
        "VEHICLES",
        "PLN",
        "Staff cost of the vehicle and licence department",
        "Koszty osobowe wydziału komunikacji",
        "Osobní náklady agendy registru vozidel a řidičů",
    ),
    # citizens' affairs
    (
        "CIT_ID_APPLICATIONS",
        "CITIZENS",
        "count",
        "Identity-card applications",
        "Wnioski o wydanie dowodu osobistego",
        "Žádosti o vydání občanského průkazu",
    ),
    (
        "CIT_ID_ONLINE",
        "CITIZENS",
        "count",
        "Identity-card applications submitted online",
        "Wnioski o dowód osobisty złożone drogą elektroniczną",
        "Žádosti o občanský průkaz podané elektronicky",
    ),
    (
        "CIT_REG_CASES",
        "CITIZENS",
        "count",
        "Residence registrations and de-registrations",
        "Zameldowania i wymeldowania",
        "Přihlášení a odhlášení pobytu",
    ),
    (
        "CIT_FTE",
        "CITIZENS",
        "FTE",
        "Citizens' affairs staff",
        "Etaty w wydziale spraw obywatelskich",
        "Úvazky agendy evidence obyvatel a občanských průkazů",
    ),
    (
        "CIT_STAFF_COST",
        "CITIZENS",
        "PLN",
        "Staff cost of citizens' affairs",
        "Koszty osobowe spraw obywatelskich",
        "Osobní náklady agendy evidence obyvatel a občanských průkazů",
    ),
    # schools
    (
        "SCH_PUPILS",
        "SCHOOLS",
        "pupils",
        "Pupils in schools run by the unit",
        "Uczniowie szkół prowadzonych przez jednostkę",
        "Žáci škol zřizovaných jednotkou",
    ),
    ("SCH_CLASSES", "SCHOOLS", "count", "School classes", "Oddziały szkolne", "Třídy"),
    (
        "SCH_TEACHER_FTE",
        "SCHOOLS",
        "FTE",
        "Teachers",
        "Etaty nauczycielskie",
        "Úvazky učitelů",
    ),
    (
        "SCH_SPENDING",
        "SCHOOLS",
        "PLN",
        "Current spending on schools",
        "Wydatki bieżące na szkoły",
        "Běžné výdaje na školy",
    ),
    (
        "SCH_SUBSIDY",
        "SCHOOLS",
        "PLN",
        "Education part of the general subsidy",
        "Część oświatowa subwencji ogólnej",
        "Vzdělávací část všeobecné státní dotace",
    ),
    (
        "SCH_EXAM_SCORE",
        "SCHOOLS",
        "%",
        "Average external exam result (eighth-grade exam or matura)",
        "Średni wynik egzaminu zewnętrznego (egzamin ósmoklasisty lub matura)",
        "Průměrný výsledek externí zkoušky (zkouška po 8. třídě nebo maturita)",
    ),
    # NGOs
    (
        "NGO_GRANTS_AMOUNT",
        "NGO",
        "PLN",
        "Grants to NGOs for public tasks",
        "Dotacje dla organizacji pozarządowych na zadania publiczne",
        "Dotace neziskovým organizacím na veřejné úkoly",
    ),
    (
        "NGO_COMPETITIONS",
        "NGO",
        "count",
        "Open competitions for offers held",
        "Przeprowadzone otwarte konkursy ofert",
        "Vyhlášená otevřená dotační řízení",
    ),
    (
        "NGO_OFFERS",
        "NGO",
        "count",
        "Offers submitted by NGOs",
        "Oferty złożone przez organizacje pozarządowe",
        "Nabídky podané neziskovými organizacemi",
    ),
    (
        "NGO_CONTRACTS",
        "NGO",
        "count",
        "Grant contracts signed",
        "Zawarte umowy dotacyjne",
        "Uzavřené smlouvy o dotaci",
    ),
    (
        "NGO_RETURNED",
        "NGO",
        "PLN",
        "Grants returned or clawed back",
        "Dotacje zwrócone lub pobrane w nadmiernej wysokości",
        "Vrácené nebo odebrané dotace",
    ),
    # human resources
    (
        "HR_HEADCOUNT_AVG",
        "HR",
        "persons",
        "Average employment",
        "Przeciętne zatrudnienie",
        "Průměrný počet zaměstnanců",
    ),
    (
        "HR_LEAVERS",
        "HR",
        "persons",
        "Employees who left",
        "Odejścia pracowników",
        "Odchody zaměstnanců",
    ),
    (
        "HR_NEW_HIRES",
        "HR",
        "persons",
        "Employees recruited",
        "Nowo zatrudnieni pracownicy",
        "Nově přijatí zaměstnanci",
    ),
    ("HR_TRAINING_DAYS", "HR", "days", "Training days", "Dni szkoleniowe", "Dny školení"),
    (
        "HR_TRAINING_COST",
        "HR",
        "PLN",
        "Training expenditure",
        "Wydatki na szkolenia",
        "Výdaje na vzdělávání zaměstnanců",
    ),
    (
        "HR_SICK_DAYS",
        "HR",
        "days",
        "Sickness-absence days",
        "Dni absencji chorobowej",
        "Dny pracovní neschopnosti",
    ),
    # street lighting
    (
        "LIGHT_POINTS",
        "LIGHTING",
        "count",
        "Street lamps (light points)",
        "Punkty świetlne",
        "Světelná místa",
    ),
    (
        "LIGHT_LED",
        "LIGHTING",
        "count",
        "LED street lamps",
        "Punkty świetlne z oprawami LED",
        "Světelná místa se svítidly LED",
    ),
    (
        "LIGHT_ENERGY_MWH",
        "LIGHTING",
        "MWh",
        "Electricity used for street lighting",
        "Zużycie energii elektrycznej na oświetlenie ulic",
        "Spotřeba elektřiny na veřejné osvětlení",
    ),
    (
        "LIGHT_ENERGY_COST",
        "LIGHTING",
        "PLN",
        "Electricity cost of street lighting",
        "Koszt energii elektrycznej na oświetlenie ulic",
        "Náklady na elektřinu pro veřejné osvětlení",
    ),
    (
        "LIGHT_MAINT_COST",
        "LIGHTING",
        "PLN",
        "Maintenance cost of street lighting",
        "Koszt konserwacji oświetlenia ulic",
        "Náklady na údržbu veřejného osvětlení",
    ),
    (
        "LIGHT_FAILURES",
        "LIGHTING",
        "count",
        "Lighting failures reported",
        "Zgłoszone awarie oświetlenia",
        "Nahlášené poruchy osvětlení",
    ),
    # general functioning of the office
    (
        "OFFICE_ADMIN_COST",
        "OFFICE",
        "PLN",
        "Public-administration expenditure (budget section 750)",
        "Wydatki na administrację publiczną (dział 750)",
        "Výdaje na veřejnou správu (rozpočtový oddíl 750)",
    ),
    (
        "OFFICE_DOCS_TOTAL",
        "OFFICE",
        "count",
        "Incoming documents registered",
        "Zarejestrowane pisma wpływające",
        "Zaevidované došlé dokumenty",
    ),
    (
        "OFFICE_EDOCS",
        "OFFICE",
        "count",
        "Incoming documents received electronically",
        "Pisma wpływające drogą elektroniczną",
        "Došlé dokumenty přijaté elektronicky",
    ),
    (
        "OFFICE_COMPLAINTS",
        "OFFICE",
        "count",
        "Complaints and motions received",
        "Skargi i wnioski",
        "Stížnosti a podněty",
    ),
]

# --- indicators --------------------------------------------------------------------------
# (code, area, formula, direction, unit, decimals, (en, pl, cs), (description en, pl, cs))

Names = tuple[str, str, str]
INDICATORS: list[tuple[str, str, str, str, str, int, Names, Names]] = [
    # PERMITS
    (
        "PERMIT_AVG_DAYS",
        "PERMITS",
        "PERMIT_DAYS_TOTAL / PERMITS_ISSUED",
        "lower",
        "days",
        1,
        (
            "Average time to a building-permit decision",
            "Średni czas wydania decyzji o pozwoleniu na budowę",
            "Průměrná doba vydání stavebního povolení",
        ),
        (
            "Average number of days from the application to the decision; shorter times let "
            "investors start building sooner.",
            "Średnia liczba dni od złożenia wniosku do wydania decyzji; krótszy czas pozwala "
            "inwestorom wcześniej rozpocząć budowę.",
            "Průměrný počet dní od podání žádosti do vydání rozhodnutí; kratší doba umožňuje "
            "stavebníkům začít stavět dříve.",
        ),
    ),
    (
        "PERMIT_DEADLINE_SHARE",
        "PERMITS",
        "100 * PERMITS_IN_DEADLINE / PERMITS_ISSUED",
        "higher",
        "%",
        1,
        (
            "Building-permit decisions issued within the statutory deadline",
            "Odsetek decyzji wydanych w ustawowym terminie",
            "Podíl rozhodnutí vydaných v zákonné lhůtě",
        ),
        (
            "Share of decisions issued within the 65 days set by the Building Law; late "
            "decisions expose the office to penalties and hold up investments.",
            "Odsetek decyzji wydanych w terminie 65 dni określonym w Prawie budowlanym; "
            "opóźnienia grożą karami i wstrzymują inwestycje.",
            "Podíl rozhodnutí vydaných do 65 dnů stanovených polským stavebním zákonem; "
            "zpoždění hrozí sankcemi a brzdí investice.",
        ),
    ),
    (
        "PERMIT_APPEAL_SHARE",
        "PERMITS",
        "100 * PERMITS_APPEALED / PERMITS_ISSUED",
        "lower",
        "%",
        1,
        (
            "Building-permit decisions appealed",
            "Odsetek decyzji zaskarżonych",
            "Podíl rozhodnutí napadených odvoláním",
        ),
        (
            "Share of decisions against which a party appealed; many appeals can signal "
            "unclear reasoning or poor communication with the parties.",
            "Odsetek decyzji, od których strona wniosła odwołanie; wiele odwołań może "
            "wskazywać na niejasne uzasadnienia lub słabą komunikację ze stronami.",
            "Podíl rozhodnutí, proti nimž účastník podal odvolání; mnoho odvolání může "
            "znamenat nejasné odůvodnění nebo slabou komunikaci s účastníky.",
        ),
    ),
    (
        "PERMIT_OVERTURNED_SHARE",
        "PERMITS",
        "100 * PERMITS_OVERTURNED / PERMITS_ISSUED",
        "lower",
        "%",
        2,
        (
            "Building-permit decisions overturned on appeal",
            "Odsetek decyzji uchylonych w postępowaniu odwoławczym",
            "Podíl rozhodnutí zrušených v odvolacím řízení",
        ),
        (
            "Share of all decisions that the appeal body (the voivode) overturned; it "
            "measures the legal quality of the office's decisions.",
            "Odsetek wszystkich decyzji uchylonych przez organ odwoławczy (wojewodę); mierzy "
            "jakość prawną decyzji urzędu.",
            "Podíl všech rozhodnutí, která odvolací orgán (vojvoda) zrušil; měří právní "
            "kvalitu rozhodování úřadu.",
        ),
    ),
    (
        "PERMIT_COST",
        "PERMITS",
        "PERMIT_STAFF_COST / PERMITS_ISSUED",
        "lower",
        "PLN",
        2,
        (
            "Cost of one building-permit decision",
            "Koszt wydania jednej decyzji o pozwoleniu na budowę",
            "Náklady na jedno rozhodnutí o stavebním povolení",
        ),
        (
            "Staff cost of the permit unit divided by the decisions it issued; it shows what "
            "one decision costs the taxpayer.",
            "Koszty osobowe komórki ds. pozwoleń podzielone przez liczbę wydanych decyzji; "
            "pokazują, ile podatnika kosztuje jedna decyzja.",
            "Osobní náklady útvaru stavebních povolení dělené počtem vydaných rozhodnutí; "
            "ukazují, kolik daňové poplatníky stojí jedno rozhodnutí.",
        ),
    ),
    (
        "PERMITS_PER_FTE",
        "PERMITS",
        "PERMITS_ISSUED / PERMIT_FTE",
        "higher",
        "cases per FTE",
        1,
        (
            "Building-permit decisions per FTE",
            "Liczba decyzji o pozwoleniu na budowę na etat",
            "Počet rozhodnutí o stavebním povolení na úvazek",
        ),
        (
            "Decisions issued per full-time employee of the permit unit; a measure of "
            "productivity to be read together with time and quality.",
            "Liczba decyzji wydanych na jeden etat w komórce ds. pozwoleń; miara wydajności, "
            "którą należy czytać łącznie z czasem i jakością.",
            "Počet vydaných rozhodnutí na jeden přepočtený úvazek; měřítko produktivity, "
            "které je třeba číst spolu s dobou vyřízení a kvalitou.",
        ),
    ),
    # BUSINESS
    (
        "BUSINESS_ON_TIME_SHARE",
        "BUSINESS",
        "100 * BUSINESS_NEXT_DAY / BUSINESS_APPLICATIONS",
        "higher",
        "%",
        1,
        (
            "Business-register applications sent by the next working day",
            "Odsetek wniosków CEIDG przesłanych najpóźniej następnego dnia roboczego",
            "Podíl podání do CEIDG předaných nejpozději následující pracovní den",
        ),
        (
            "Share of paper applications converted and sent to the central register (CEIDG) "
            "no later than the next working day, as the law requires.",
            "Odsetek wniosków papierowych przekształconych i przesłanych do CEIDG najpóźniej "
            "następnego dnia roboczego, jak wymaga ustawa.",
            "Podíl listinných podání převedených a odeslaných do centrálního registru (CEIDG) "
            "nejpozději následující pracovní den, jak vyžaduje zákon.",
        ),
    ),
    (
        "BUSINESS_PER_FTE",
        "BUSINESS",
        "BUSINESS_APPLICATIONS / BUSINESS_FTE",
        "higher",
        "cases per FTE",
        0,
        (
            "Business-register applications per FTE",
            "Wnioski CEIDG na etat",
            "Podání do CEIDG na úvazek",
        ),
        (
            "Applications handled per full-time employee of the business register; it shows "
            "the productivity of the service.",
            "Liczba wniosków obsłużonych na jeden etat; pokazuje wydajność obsługi ewidencji.",
            "Počet vyřízených podání na jeden přepočtený úvazek; ukazuje produktivitu agendy.",
        ),
    ),
    (
        "BUSINESS_COST_PER_CASE",
        "BUSINESS",
        "BUSINESS_STAFF_COST / BUSINESS_APPLICATIONS",
        "lower",
        "PLN",
        2,
        (
            "Cost of handling one business-register application",
            "Koszt obsługi jednego wniosku CEIDG",
            "Náklady na vyřízení jednoho podání do CEIDG",
        ),
        (
            "Staff cost of the business register divided by the applications handled; the "
            "unit cost of this delegated task.",
            "Koszty osobowe obsługi ewidencji podzielone przez liczbę wniosków; koszt "
            "jednostkowy tego zadania zleconego.",
            "Osobní náklady agendy dělené počtem vyřízených podání; jednotkové náklady této "
            "přenesené působnosti.",
        ),
    ),
    (
        "BUSINESS_DENSITY",
        "BUSINESS",
        "1000 * BUSINESS_ACTIVE / POPULATION",
        "neutral",
        "per 1,000 residents",
        1,
        (
            "Active sole traders per 1,000 residents",
            "Aktywni przedsiębiorcy na 1000 mieszkańców",
            "Aktivní podnikatelé na 1 000 obyvatel",
        ),
        (
            "Context for the workload of the register: how entrepreneurial the local "
            "population is.",
            "Kontekst obciążenia ewidencji: jak przedsiębiorcza jest lokalna społeczność.",
            "Kontext zatížení agendy: jak podnikavé je místní obyvatelstvo.",
        ),
    ),
    # CIVIL
    (
        "CIVIL_CASES_PER_FTE",
        "CIVIL",
        "(CIVIL_EVENTS + CIVIL_CERTIFICATES) / CIVIL_FTE",
        "higher",
        "cases per FTE",
        0,
        (
            "Civil-status cases per FTE",
            "Sprawy stanu cywilnego na etat",
            "Matriční případy na úvazek",
        ),
        (
            "Registered events and certificates issued per full-time employee of the "
            "registry office; a measure of productivity.",
            "Zarejestrowane zdarzenia i wydane odpisy na jeden etat w urzędzie stanu "
            "cywilnego; miara wydajności.",
            "Zapsané matriční události a vydané doklady na jeden přepočtený úvazek matriky; "
            "měřítko produktivity.",
        ),
    ),
    (
        "CIVIL_COST_PER_CASE",
        "CIVIL",
        "CIVIL_STAFF_COST / (CIVIL_EVENTS + CIVIL_CERTIFICATES)",
        "lower",
        "PLN",
        2,
        (
            "Cost of one civil-status case",
            "Koszt jednej sprawy stanu cywilnego",
            "Náklady na jeden matriční případ",
        ),
        (
            "Staff cost of the registry office per registered event or certificate; it "
            "shows what the delegated task costs the municipality.",
            "Koszty osobowe urzędu stanu cywilnego na jedno zdarzenie lub odpis; pokazują, "
            "ile zadanie zlecone kosztuje gminę.",
            "Osobní náklady matriky na jednu zapsanou událost nebo vydaný doklad; ukazují, "
            "kolik přenesená působnost stojí obec.",
        ),
    ),
    (
        "CIVIL_ONLINE_SHARE",
        "CIVIL",
        "100 * CIVIL_ONLINE_REQUESTS / CIVIL_CERTIFICATES",
        "higher",
        "%",
        1,
        (
            "Certificate requests submitted online",
            "Odsetek wniosków o odpisy złożonych elektronicznie",
            "Podíl žádostí o matriční doklady podaných elektronicky",
        ),
        (
            "Electronic certificate requests as a share of certificates issued; online "
            "requests save residents a visit to the office.",
            "Wnioski elektroniczne o odpisy jako odsetek wydanych odpisów; wnioski online "
            "oszczędzają mieszkańcom wizyty w urzędzie.",
            "Elektronické žádosti o matriční doklady jako podíl vydaných dokladů; žádosti "
            "online šetří obyvatelům cestu na úřad.",
        ),
    ),
    (
        "CIVIL_EVENTS_PER_1000",
        "CIVIL",
        "1000 * CIVIL_EVENTS / POPULATION",
        "neutral",
        "per 1,000 residents",
        1,
        (
            "Civil-status events per 1,000 residents",
            "Zdarzenia stanu cywilnego na 1000 mieszkańców",
            "Matriční události na 1 000 obyvatel",
        ),
        (
            "Context for the registry's workload: towns with hospitals register many births "
            "and deaths of non-residents.",
            "Kontekst obciążenia urzędu: miasta ze szpitalami rejestrują wiele urodzeń i "
            "zgonów osób spoza gminy.",
            "Kontext zatížení matriky: města s nemocnicemi zapisují mnoho narození a úmrtí "
            "lidí odjinud.",
        ),
    ),
    # WASTE
    (
        "WASTE_RECYCLING_RATE",
        "WASTE",
        "100 * WASTE_RECYCLED_T / WASTE_COLLECTED_T",
        "higher",
        "%",
        1,
        (
            "Recycling rate of municipal waste",
            "Poziom recyklingu odpadów komunalnych",
            "Míra recyklace komunálního odpadu",
        ),
        (
            "Share of collected municipal waste prepared for re-use and recycled; gminas "
            "must reach statutory levels that rise every year.",
            "Udział odpadów przygotowanych do ponownego użycia i poddanych recyklingowi w "
            "odpadach zebranych; gminy muszą osiągać rosnące co roku poziomy ustawowe.",
            "Podíl sebraného komunálního odpadu připraveného k opětovnému použití a "
            "recyklovaného; polské gminy musí plnit zákonné úrovně, které každý rok rostou.",
        ),
    ),
    (
        "WASTE_PER_CAPITA",
        "WASTE",
        "1000 * WASTE_COLLECTED_T / POPULATION",
        "neutral",
        "kg per resident",
        1,
        (
            "Municipal waste collected per resident",
            "Masa zebranych odpadów komunalnych na mieszkańca",
            "Sebraný komunální odpad na obyvatele",
        ),
        (
            "Kilograms of municipal waste collected per resident; context for costs and for "
            "waste-prevention efforts.",
            "Kilogramy zebranych odpadów komunalnych na mieszkańca; kontekst dla kosztów i "
            "działań na rzecz zapobiegania powstawaniu odpadów.",
            "Kilogramy sebraného komunálního odpadu na obyvatele; kontext pro náklady a pro "
            "předcházení vzniku odpadu.",
        ),
    ),
    (
        "WASTE_COST_PER_TONNE",
        "WASTE",
        "WASTE_SYSTEM_COST / WASTE_COLLECTED_T",
        "lower",
        "PLN per tonne",
        2,
        (
            "Cost of the waste system per tonne",
            "Koszt systemu gospodarowania odpadami na tonę",
            "Náklady odpadového systému na tunu",
        ),
        (
            "Total cost of collecting and treating municipal waste per tonne; it shows how "
            "efficiently the system is contracted and run.",
            "Całkowity koszt odbioru i zagospodarowania odpadów na tonę; pokazuje, jak "
            "efektywnie zorganizowano i zlecono system.",
            "Celkové náklady na svoz a zpracování komunálního odpadu na tunu; ukazují, jak "
            "efektivně je systém zadán a provozován.",
        ),
    ),
    (
        "WASTE_FEE_COLLECTION",
        "WASTE",
        "if(WASTE_FEES_PAID > WASTE_FEES_DUE, 100, 100 * WASTE_FEES_PAID / WASTE_FEES_DUE)",
        "higher",
        "%",
        1,
        (
            "Collection rate of waste fees",
            "Ściągalność opłat za gospodarowanie odpadami",
            "Úspěšnost výběru poplatků za odpad",
        ),
        (
            "Fees collected as a share of fees due, capped at 100 % when arrears of earlier "
            "years are paid; low rates shift the cost to the general budget.",
            "Wpłacone opłaty jako odsetek należnych, ograniczony do 100 %, gdy wpływają "
            "zaległości z lat ubiegłych; niska ściągalność przerzuca koszty na budżet ogólny.",
            "Vybrané poplatky jako podíl předepsaných, omezený na 100 %, když se platí "
            "nedoplatky z dřívějších let; nízký výběr přesouvá náklady do obecného rozpočtu.",
        ),
    ),
    (
        "WASTE_COMPLAINTS_PER_10K",
        "WASTE",
        "10000 * WASTE_COMPLAINTS / POPULATION",
        "lower",
        "per 10,000 residents",
        1,
        (
            "Waste-collection complaints per 10,000 residents",
            "Reklamacje odbioru odpadów na 10 tys. mieszkańców",
            "Stížnosti na svoz odpadu na 10 000 obyvatel",
        ),
        (
            "Complaints about missed or poor collection per 10,000 residents; a proxy for "
            "service quality as residents experience it.",
            "Reklamacje dotyczące nieodebranych lub źle odebranych odpadów na 10 tys. "
            "mieszkańców; przybliżona miara jakości usługi w oczach mieszkańców.",
            "Stížnosti na nevyvezený nebo špatně vyvezený odpad na 10 000 obyvatel; "
            "přibližné měřítko kvality služby, jak ji vnímají obyvatelé.",
        ),
    ),
    # PROPTAX
    (
        "PROPTAX_ARREARS_SHARE",
        "PROPTAX",
        "100 * PROPTAX_ARREARS / PROPTAX_DUE",
        "lower",
        "%",
        2,
        (
            "Property-tax arrears as a share of tax due",
            "Zaległości w podatku od nieruchomości w relacji do należności",
            "Nedoplatky na dani z nemovitých věcí v poměru k předpisu",
        ),
        (
            "Arrears at year end as a share of the tax due for the year; it measures how well "
            "the gmina secures its own revenue.",
            "Zaległości na koniec roku jako odsetek podatku należnego za rok; mierzy, jak "
            "skutecznie gmina zabezpiecza dochody własne.",
            "Nedoplatky ke konci roku jako podíl daně předepsané za rok; měří, jak dobře obec "
            "zajišťuje vlastní příjmy.",
        ),
    ),
    (
        "PROPTAX_ARREARS_CHANGE",
        "PROPTAX",
        "100 * (PROPTAX_ARREARS / prev(PROPTAX_ARREARS) - 1)",
        "lower",
        "%",
        1,
        (
            "Year-on-year change in property-tax arrears",
            "Dynamika zaległości w podatku od nieruchomości",
            "Meziroční změna nedoplatků na dani z nemovitých věcí",
        ),
        (
            "Percentage change of arrears against the previous year; a fall shows that "
            "debt recovery works.",
            "Procentowa zmiana zaległości w porównaniu z rokiem poprzednim; spadek pokazuje, "
            "że windykacja przynosi efekty.",
            "Procentní změna nedoplatků oproti předchozímu roku; pokles ukazuje, že vymáhání "
            "funguje.",
        ),
    ),
    (
        "PROPTAX_RECOVERY_SHARE",
        "PROPTAX",
        "100 * PROPTAX_RECOVERED / (PROPTAX_RECOVERED + PROPTAX_ARREARS)",
        "higher",
        "%",
        1,
        (
            "Share of arrears recovered",
            "Odsetek odzyskanych zaległości",
            "Podíl vymožených nedoplatků",
        ),
        (
            "Arrears recovered during the year as a share of recovered plus remaining "
            "arrears; it shows how effective debt collection is.",
            "Zaległości odzyskane w ciągu roku jako odsetek sumy odzyskanych i pozostałych "
            "zaległości; pokazuje skuteczność windykacji.",
            "Nedoplatky vymožené během roku jako podíl součtu vymožených a zbývajících "
            "nedoplatků; ukazuje účinnost vymáhání.",
        ),
    ),
    (
        "PROPTAX_ENFORCEMENT_SHARE",
        "PROPTAX",
        "100 * PROPTAX_ENFORCEMENT / PROPTAX_REMINDERS",
        "lower",
        "%",
        1,
        (
            "Reminders followed by enforcement",
            "Odsetek upomnień zakończonych tytułem wykonawczym",
            "Podíl upomínek, po nichž následovala exekuce",
        ),
        (
            "Enforcement titles issued per 100 reminders sent; a low figure means that a "
            "reminder alone makes taxpayers pay.",
            "Liczba tytułów wykonawczych na 100 wysłanych upomnień; niska wartość oznacza, że "
            "samo upomnienie skłania podatników do zapłaty.",
            "Počet exekučních příkazů na 100 odeslaných upomínek; nízká hodnota znamená, že "
            "k zaplacení stačí samotná upomínka.",
        ),
    ),
    (
        "PROPTAX_PER_CAPITA",
        "PROPTAX",
        "PROPTAX_DUE / POPULATION",
        "neutral",
        "PLN per resident",
        2,
        (
            "Property tax due per resident",
            "Należny podatek od nieruchomości na mieszkańca",
            "Předepsaná daň z nemovitých věcí na obyvatele",
        ),
        (
            "Context: the size of the property-tax base, which is high where mines, industry "
            "or warehouses are located.",
            "Kontekst: wielkość bazy podatkowej, wysokiej tam, gdzie działają kopalnie, "
            "przemysł lub magazyny.",
            "Kontext: velikost daňového základu, který je vysoký tam, kde jsou doly, průmysl "
            "nebo sklady.",
        ),
    ),
    # VEHICLES
    (
        "VEH_CASES_PER_FTE",
        "VEHICLES",
        "(VEH_REGISTRATIONS + VEH_LICENCES) / VEH_FTE",
        "higher",
        "cases per FTE",
        0,
        (
            "Vehicle and licence cases per FTE",
            "Sprawy komunikacyjne na etat",
            "Případy registru vozidel a řidičů na úvazek",
        ),
        (
            "Registrations and driving licences handled per full-time employee of the "
            "department; a measure of productivity.",
            "Rejestracje i prawa jazdy obsłużone na jeden etat wydziału komunikacji; miara "
            "wydajności.",
            "Registrace a řidičské průkazy vyřízené na jeden přepočtený úvazek; měřítko "
            "produktivity.",
        ),
    ),
    (
        "VEH_COST_PER_CASE",
        "VEHICLES",
        "VEH_STAFF_COST / (VEH_REGISTRATIONS + VEH_LICENCES)",
        "lower",
        "PLN",
        2,
        (
            "Cost of one vehicle or licence case",
            "Koszt jednej sprawy komunikacyjnej",
            "Náklady na jeden případ registru vozidel a řidičů",
        ),
        (
            "Staff cost of the department per registration or licence issued; the unit cost "
            "of the service.",
            "Koszty osobowe wydziału na jedną rejestrację lub wydane prawo jazdy; koszt "
            "jednostkowy usługi.",
            "Osobní náklady agendy na jednu registraci nebo vydaný řidičský průkaz; "
            "jednotkové náklady služby.",
        ),
    ),
    (
        "VEH_WAIT_TIME",
        "VEHICLES",
        "VEH_AVG_WAIT_MIN",
        "lower",
        "minutes",
        1,
        (
            "Average waiting time at the counter",
            "Średni czas oczekiwania w kolejce",
            "Průměrná čekací doba u přepážky",
        ),
        (
            "Average minutes a customer waits before being served; the quality measure "
            "residents notice first.",
            "Średnia liczba minut oczekiwania klienta na obsługę; miara jakości, którą "
            "mieszkańcy zauważają najpierw.",
            "Průměrný počet minut, které klient čeká na obsloužení; měřítko kvality, kterého "
            "si obyvatelé všimnou nejdříve.",
        ),
    ),
    (
        "VEH_ONLINE_SHARE",
        "VEHICLES",
        "100 * VEH_ONLINE_BOOKINGS / VEH_VISITS",
        "higher",
        "%",
        1,
        (
            "Visits booked online",
            "Odsetek wizyt rezerwowanych przez internet",
            "Podíl návštěv rezervovaných online",
        ),
        (
            "Share of counter visits booked in advance online; booking spreads the workload "
            "and shortens queues.",
            "Odsetek wizyt zarezerwowanych wcześniej przez internet; rezerwacje rozkładają "
            "obciążenie i skracają kolejki.",
            "Podíl návštěv předem rezervovaných online; rezervace rozkládají zátěž a zkracují "
            "fronty.",
        ),
    ),
    # CITIZENS
    (
        "CIT_CASES_PER_FTE",
        "CITIZENS",
        "(CIT_ID_APPLICATIONS + CIT_REG_CASES) / CIT_FTE",
        "higher",
        "cases per FTE",
        0,
        (
            "Citizens' affairs cases per FTE",
            "Sprawy obywatelskie na etat",
            "Případy občanské agendy na úvazek",
        ),
        (
            "Identity-card applications and residence registrations handled per full-time "
            "employee; a measure of productivity.",
            "Wnioski o dowód osobisty oraz zameldowania i wymeldowania obsłużone na jeden "
            "etat; miara wydajności.",
            "Žádosti o občanský průkaz a změny pobytu vyřízené na jeden přepočtený úvazek; "
            "měřítko produktivity.",
        ),
    ),
    (
        "CIT_COST_PER_CASE",
        "CITIZENS",
        "CIT_STAFF_COST / (CIT_ID_APPLICATIONS + CIT_REG_CASES)",
        "lower",
        "PLN",
        2,
        (
            "Cost of one citizens' affairs case",
            "Koszt jednej sprawy obywatelskiej",
            "Náklady na jeden případ občanské agendy",
        ),
        (
            "Staff cost of citizens' affairs per case handled; the unit cost of a delegated task.",
            "Koszty osobowe spraw obywatelskich na jedną sprawę; koszt jednostkowy zadania "
            "zleconego.",
            "Osobní náklady občanské agendy na jeden vyřízený případ; jednotkové náklady "
            "přenesené působnosti.",
        ),
    ),
    (
        "CIT_ID_ONLINE_SHARE",
        "CITIZENS",
        "100 * CIT_ID_ONLINE / CIT_ID_APPLICATIONS",
        "higher",
        "%",
        1,
        (
            "Identity-card applications submitted online",
            "Odsetek wniosków o dowód osobisty złożonych elektronicznie",
            "Podíl žádostí o občanský průkaz podaných elektronicky",
        ),
        (
            "Share of ID-card applications filed electronically; it shows how well the office "
            "encourages residents to use e-services.",
            "Odsetek wniosków o dowód osobisty złożonych elektronicznie; pokazuje, na ile "
            "urząd zachęca mieszkańców do korzystania z e-usług.",
            "Podíl žádostí o občanský průkaz podaných elektronicky; ukazuje, jak úřad "
            "motivuje obyvatele k využívání e-služeb.",
        ),
    ),
    (
        "CIT_ID_PER_1000",
        "CITIZENS",
        "1000 * CIT_ID_APPLICATIONS / POPULATION",
        "neutral",
        "per 1,000 residents",
        1,
        (
            "Identity-card applications per 1,000 residents",
            "Wnioski o dowód osobisty na 1000 mieszkańców",
            "Žádosti o občanský průkaz na 1 000 obyvatel",
        ),
        (
            "Context for the workload, which follows the ten-year cycle of ID-card expiry.",
            "Kontekst obciążenia, które zależy od dziesięcioletniego cyklu ważności dowodów.",
            "Kontext zatížení, které sleduje desetiletý cyklus platnosti průkazů.",
        ),
    ),
    # SCHOOLS
    (
        "SCH_SPENDING_PER_PUPIL",
        "SCHOOLS",
        "SCH_SPENDING / SCH_PUPILS",
        "lower",
        "PLN per pupil",
        2,
        ("Current spending per pupil", "Wydatki bieżące na ucznia", "Běžné výdaje na žáka"),
        (
            "Current school spending divided by pupils; read with exam results, it shows the "
            "cost-effectiveness of the school network.",
            "Wydatki bieżące na szkoły podzielone przez liczbę uczniów; czytane łącznie z "
            "wynikami egzaminów pokazują efektywność kosztową sieci szkół.",
            "Běžné výdaje na školy dělené počtem žáků; spolu s výsledky zkoušek ukazují "
            "nákladovou efektivitu školské sítě.",
        ),
    ),
    (
        "SCH_SUBSIDY_COVERAGE",
        "SCHOOLS",
        "100 * SCH_SUBSIDY / SCH_SPENDING",
        "higher",
        "%",
        1,
        (
            "Spending covered by the education subsidy",
            "Pokrycie wydatków subwencją oświatową",
            "Krytí výdajů vzdělávací dotací",
        ),
        (
            "Share of current school spending financed by the education part of the general "
            "subsidy; the rest comes from the unit's own revenue.",
            "Odsetek wydatków bieżących na szkoły pokrytych częścią oświatową subwencji "
            "ogólnej; resztę jednostka finansuje z dochodów własnych.",
            "Podíl běžných výdajů na školy krytý vzdělávací částí státní dotace; zbytek "
            "jednotka hradí z vlastních příjmů.",
        ),
    ),
    (
        "SCH_EXAM_RESULT",
        "SCHOOLS",
        "SCH_EXAM_SCORE",
        "higher",
        "%",
        1,
        (
            "Average external exam result",
            "Średni wynik egzaminu zewnętrznego",
            "Průměrný výsledek externí zkoušky",
        ),
        (
            "Average result of the eighth-grade exam (gminas and cities) or the matura "
            "(counties); the main measure of learning outcomes.",
            "Średni wynik egzaminu ósmoklasisty (gminy i miasta) lub matury (powiaty); główna "
            "miara efektów kształcenia.",
            "Průměrný výsledek zkoušky po 8. třídě (gminy a města) nebo maturity (okresy); "
            "hlavní měřítko výsledků vzdělávání.",
        ),
    ),
    (
        "SCH_CLASS_SIZE",
        "SCHOOLS",
        "SCH_PUPILS / SCH_CLASSES",
        "neutral",
        "pupils per class",
        1,
        ("Average class size", "Średnia liczebność oddziału", "Průměrný počet žáků ve třídě"),
        (
            "Pupils per class; small classes raise the cost per pupil, large ones may lower "
            "the quality of teaching.",
            "Liczba uczniów na oddział; małe oddziały podnoszą koszt na ucznia, duże mogą "
            "obniżać jakość nauczania.",
            "Počet žáků na třídu; malé třídy zvyšují náklady na žáka, velké mohou snižovat "
            "kvalitu výuky.",
        ),
    ),
    (
        "SCH_PUPILS_PER_TEACHER",
        "SCHOOLS",
        "SCH_PUPILS / SCH_TEACHER_FTE",
        "neutral",
        "pupils per FTE",
        1,
        (
            "Pupils per teacher FTE",
            "Liczba uczniów na etat nauczycielski",
            "Počet žáků na úvazek učitele",
        ),
        (
            "Pupils per full-time teacher post; the main driver of school costs, which are "
            "mostly teachers' pay.",
            "Liczba uczniów na jeden etat nauczycielski; główny czynnik kosztów szkół, na "
            "które składają się głównie płace nauczycieli.",
            "Počet žáků na jeden přepočtený úvazek učitele; hlavní faktor nákladů škol, které "
            "tvoří převážně platy učitelů.",
        ),
    ),
    # NGO
    (
        "NGO_GRANTS_PER_CAPITA",
        "NGO",
        "NGO_GRANTS_AMOUNT / POPULATION",
        "higher",
        "PLN per resident",
        2,
        (
            "NGO grants per resident",
            "Dotacje dla organizacji pozarządowych na mieszkańca",
            "Dotace neziskovým organizacím na obyvatele",
        ),
        (
            "Grants for public tasks commissioned from NGOs per resident; it shows how far "
            "the unit relies on civil society to deliver services.",
            "Dotacje na zadania publiczne zlecane organizacjom pozarządowym na mieszkańca; "
            "pokazują, w jakim stopniu jednostka powierza usługi społeczeństwu obywatelskiemu.",
            "Dotace na veřejné úkoly svěřené neziskovým organizacím na obyvatele; ukazují, "
            "nakolik jednotka při poskytování služeb spoléhá na občanskou společnost.",
        ),
    ),
    (
        "NGO_BUDGET_SHARE",
        "NGO",
        "100 * NGO_GRANTS_AMOUNT / BUDGET_TOTAL",
        "higher",
        "%",
        2,
        (
            "NGO grants as a share of the budget",
            "Udział dotacji dla organizacji pozarządowych w wydatkach budżetu",
            "Podíl dotací neziskovým organizacím na výdajích rozpočtu",
        ),
        (
            "Share of total budget expenditure granted to NGOs for public tasks; a measure of "
            "the scale of cooperation with the third sector.",
            "Udział dotacji dla organizacji pozarządowych w wydatkach budżetu ogółem; miara "
            "skali współpracy z trzecim sektorem.",
            "Podíl dotací neziskovým organizacím na celkových výdajích rozpočtu; měřítko "
            "rozsahu spolupráce s neziskovým sektorem.",
        ),
    ),
    (
        "NGO_OFFERS_PER_COMPETITION",
        "NGO",
        "NGO_OFFERS / NGO_COMPETITIONS",
        "higher",
        "offers per competition",
        1,
        (
            "Offers per open competition",
            "Liczba ofert na otwarty konkurs",
            "Počet nabídek na dotační řízení",
        ),
        (
            "Average number of NGO offers per open competition; more offers mean real "
            "competition and a better choice of provider.",
            "Średnia liczba ofert w otwartym konkursie; więcej ofert oznacza realną "
            "konkurencję i lepszy wybór realizatora.",
            "Průměrný počet nabídek na jedno otevřené dotační řízení; více nabídek znamená "
            "skutečnou soutěž a lepší výběr poskytovatele.",
        ),
    ),
    (
        "NGO_SUCCESS_SHARE",
        "NGO",
        "100 * NGO_CONTRACTS / NGO_OFFERS",
        "neutral",
        "%",
        1,
        (
            "Offers resulting in a grant contract",
            "Odsetek ofert zakończonych umową",
            "Podíl nabídek, které vedly ke smlouvě",
        ),
        (
            "Share of submitted offers that led to a grant contract; context for how "
            "selective the competitions are.",
            "Odsetek złożonych ofert, które zakończyły się zawarciem umowy; kontekst dla "
            "selektywności konkursów.",
            "Podíl podaných nabídek, které vedly k uzavření smlouvy o dotaci; kontext pro "
            "výběrovost řízení.",
        ),
    ),
    (
        "NGO_RETURNED_SHARE",
        "NGO",
        "100 * NGO_RETURNED / NGO_GRANTS_AMOUNT",
        "lower",
        "%",
        2,
        (
            "Grants returned or clawed back",
            "Odsetek zwróconych dotacji",
            "Podíl vrácených dotací",
        ),
        (
            "Share of granted money returned unused or clawed back after settlement; high "
            "values point to weak planning or supervision.",
            "Odsetek przyznanych środków zwróconych jako niewykorzystane lub pobranych w "
            "nadmiernej wysokości; wysokie wartości wskazują na słabe planowanie lub nadzór.",
            "Podíl poskytnutých prostředků vrácených jako nevyčerpané nebo odebraných po "
            "vyúčtování; vysoké hodnoty ukazují na slabé plánování či kontrolu.",
        ),
    ),
    # HR
    (
        "HR_TURNOVER",
        "HR",
        "100 * HR_LEAVERS / HR_HEADCOUNT_AVG",
        "lower",
        "%",
        1,
        ("Staff turnover rate", "Wskaźnik fluktuacji kadr", "Míra fluktuace zaměstnanců"),
        (
            "Employees who left as a share of average employment; high turnover costs "
            "recruitment and training and loses know-how.",
            "Odejścia pracowników jako odsetek przeciętnego zatrudnienia; wysoka fluktuacja "
            "oznacza koszty rekrutacji i szkoleń oraz utratę wiedzy.",
            "Odchody zaměstnanců jako podíl průměrného počtu zaměstnanců; vysoká fluktuace "
            "stojí nábor a zaškolení a vede ke ztrátě know-how.",
        ),
    ),
    (
        "HR_HIRING_RATE",
        "HR",
        "100 * HR_NEW_HIRES / HR_HEADCOUNT_AVG",
        "neutral",
        "%",
        1,
        ("Hiring rate", "Wskaźnik przyjęć", "Míra nástupů"),
        (
            "Employees recruited as a share of average employment; context for turnover and "
            "for the growth of the office.",
            "Nowo zatrudnieni jako odsetek przeciętnego zatrudnienia; kontekst dla fluktuacji "
            "i rozwoju urzędu.",
            "Nově přijatí zaměstnanci jako podíl průměrného počtu zaměstnanců; kontext pro "
            "fluktuaci a růst úřadu.",
        ),
    ),
    (
        "HR_TRAINING_DAYS_PER_EMP",
        "HR",
        "HR_TRAINING_DAYS / HR_HEADCOUNT_AVG",
        "higher",
        "days per employee",
        2,
        (
            "Training days per employee",
            "Dni szkoleniowe na pracownika",
            "Dny školení na zaměstnance",
        ),
        (
            "Days of training per employee; an investment in staff qualifications, one of "
            "the programme's goals.",
            "Liczba dni szkoleniowych na pracownika; inwestycja w kwalifikacje kadr, jeden z "
            "celów programu.",
            "Počet dnů školení na zaměstnance; investice do kvalifikace pracovníků, jeden z "
            "cílů programu.",
        ),
    ),
    (
        "HR_TRAINING_COST_PER_EMP",
        "HR",
        "HR_TRAINING_COST / HR_HEADCOUNT_AVG",
        "neutral",
        "PLN per employee",
        2,
        (
            "Training spending per employee",
            "Wydatki na szkolenia na pracownika",
            "Výdaje na vzdělávání na zaměstnance",
        ),
        (
            "Training spending per employee; read with training days, it shows what the "
            "office pays for training.",
            "Wydatki na szkolenia na pracownika; czytane łącznie z liczbą dni szkoleniowych "
            "pokazują, ile urząd płaci za szkolenia.",
            "Výdaje na vzdělávání na zaměstnance; spolu s počtem dnů školení ukazují, kolik "
            "úřad za vzdělávání platí.",
        ),
    ),
    (
        "HR_ABSENCE_RATE",
        "HR",
        "100 * HR_SICK_DAYS / (250 * HR_HEADCOUNT_AVG)",
        "lower",
        "%",
        2,
        ("Sickness-absence rate", "Wskaźnik absencji chorobowej", "Míra pracovní neschopnosti"),
        (
            "Sickness-absence days as a share of working days (250 a year per employee); a "
            "signal of workload and working conditions.",
            "Dni absencji chorobowej jako odsetek dni roboczych (250 rocznie na pracownika); "
            "sygnał obciążenia i warunków pracy.",
            "Dny pracovní neschopnosti jako podíl pracovních dnů (250 ročně na zaměstnance); "
            "signál pracovní zátěže a pracovních podmínek.",
        ),
    ),
    # LIGHTING
    (
        "LIGHT_COST_PER_POINT",
        "LIGHTING",
        "(LIGHT_ENERGY_COST + coalesce(LIGHT_MAINT_COST, 0)) / LIGHT_POINTS",
        "lower",
        "PLN",
        2,
        (
            "Cost of lighting one street lamp per year",
            "Roczny koszt oświetlenia jednego punktu świetlnego",
            "Roční náklady na jedno světelné místo",
        ),
        (
            "Energy and maintenance cost per lamp per year (maintenance counts as zero where "
            "the energy contract includes it); it shows the efficiency of the lighting system.",
            "Koszt energii i konserwacji na jeden punkt świetlny rocznie (konserwacja liczona "
            "jako zero, gdy obejmuje ją umowa na energię); pokazuje efektywność oświetlenia.",
            "Náklady na elektřinu a údržbu na jedno světelné místo ročně (údržba se počítá "
            "jako nula, pokud je součástí smlouvy na elektřinu); ukazují efektivitu osvětlení.",
        ),
    ),
    (
        "LIGHT_KWH_PER_POINT",
        "LIGHTING",
        "1000 * LIGHT_ENERGY_MWH / LIGHT_POINTS",
        "lower",
        "kWh per lamp",
        0,
        (
            "Energy use per street lamp",
            "Zużycie energii na punkt świetlny",
            "Spotřeba elektřiny na světelné místo",
        ),
        (
            "Kilowatt-hours used per lamp per year; it falls as sodium lamps are replaced by "
            "LEDs and dimming is introduced.",
            "Kilowatogodziny zużyte na punkt świetlny w roku; spadają wraz z wymianą lamp "
            "sodowych na LED i wprowadzaniem ściemniania.",
            "Kilowatthodiny spotřebované na jedno světelné místo za rok; klesají s náhradou "
            "sodíkových výbojek za LED a se zaváděním stmívání.",
        ),
    ),
    (
        "LIGHT_LED_SHARE",
        "LIGHTING",
        "100 * LIGHT_LED / LIGHT_POINTS",
        "higher",
        "%",
        1,
        ("Share of LED street lamps", "Udział opraw LED", "Podíl svítidel LED"),
        (
            "Share of lamps that use LED technology; the main lever for lower energy use and cost.",
            "Odsetek punktów świetlnych z oprawami LED; główna dźwignia obniżania zużycia "
            "energii i kosztów.",
            "Podíl světelných míst se svítidly LED; hlavní páka ke snížení spotřeby a nákladů.",
        ),
    ),
    (
        "LIGHT_FAILURES_PER_100",
        "LIGHTING",
        "100 * LIGHT_FAILURES / LIGHT_POINTS",
        "lower",
        "per 100 lamps",
        1,
        (
            "Lighting failures per 100 lamps",
            "Awarie na 100 punktów świetlnych",
            "Poruchy na 100 světelných míst",
        ),
        (
            "Failures reported per 100 lamps a year; a measure of the reliability and upkeep "
            "of the network.",
            "Zgłoszone awarie na 100 punktów świetlnych rocznie; miara niezawodności i "
            "utrzymania sieci.",
            "Nahlášené poruchy na 100 světelných míst za rok; měřítko spolehlivosti a údržby sítě.",
        ),
    ),
    # OFFICE
    (
        "CTX_POPULATION",
        "OFFICE",
        "POPULATION",
        "neutral",
        "residents",
        0,
        ("Population", "Liczba mieszkańców", "Počet obyvatel"),
        (
            "Number of residents; the main context for comparing units of different size.",
            "Liczba mieszkańców; podstawowy kontekst porównań jednostek różnej wielkości.",
            "Počet obyvatel; základní kontext pro srovnání jednotek různé velikosti.",
        ),
    ),
    (
        "CTX_DENSITY",
        "OFFICE",
        "POPULATION / AREA_KM2",
        "neutral",
        "residents per km²",
        1,
        ("Population density", "Gęstość zaludnienia", "Hustota zalidnění"),
        (
            "Residents per square kilometre; dense cities and scattered rural areas face "
            "different costs of services.",
            "Liczba mieszkańców na kilometr kwadratowy; gęsto zaludnione miasta i rozproszone "
            "obszary wiejskie mają różne koszty usług.",
            "Počet obyvatel na kilometr čtvereční; hustě osídlená města a rozptýlený venkov "
            "mají rozdílné náklady služeb.",
        ),
    ),
    (
        "OFFICE_COST_PER_CAPITA",
        "OFFICE",
        "OFFICE_ADMIN_COST / POPULATION",
        "lower",
        "PLN per resident",
        2,
        (
            "Administration expenditure per resident",
            "Wydatki na administrację na mieszkańca",
            "Výdaje na správu na obyvatele",
        ),
        (
            "Public-administration expenditure per resident; the price residents pay for "
            "running the office.",
            "Wydatki na administrację publiczną na mieszkańca; cena, jaką mieszkańcy płacą za "
            "funkcjonowanie urzędu.",
            "Výdaje na veřejnou správu na obyvatele; cena, kterou obyvatelé platí za chod úřadu.",
        ),
    ),
    (
        "OFFICE_ADMIN_SHARE",
        "OFFICE",
        "100 * OFFICE_ADMIN_COST / BUDGET_TOTAL",
        "lower",
        "%",
        2,
        (
            "Administration expenditure as a share of the budget",
            "Udział wydatków na administrację w budżecie",
            "Podíl výdajů na správu na rozpočtu",
        ),
        (
            "Share of total expenditure spent on administration; the lower it is, the more "
            "money goes to services.",
            "Udział wydatków na administrację w wydatkach ogółem; im niższy, tym więcej "
            "pieniędzy trafia na usługi.",
            "Podíl výdajů na správu na celkových výdajích; čím je nižší, tím více peněz jde "
            "na služby.",
        ),
    ),
    (
        "OFFICE_EDOC_SHARE",
        "OFFICE",
        "100 * OFFICE_EDOCS / OFFICE_DOCS_TOTAL",
        "higher",
        "%",
        1,
        (
            "Documents received electronically",
            "Odsetek pism wpływających drogą elektroniczną",
            "Podíl dokumentů přijatých elektronicky",
        ),
        (
            "Share of incoming documents received electronically (ePUAP, e-Delivery); a "
            "measure of the office's digital maturity.",
            "Odsetek pism wpływających drogą elektroniczną (ePUAP, e-Doręczenia); miara "
            "cyfrowej dojrzałości urzędu.",
            "Podíl došlých dokumentů přijatých elektronicky (ePUAP, e-Doręczenia, obdoba "
            "datových schránek); měřítko digitální vyspělosti úřadu.",
        ),
    ),
    (
        "OFFICE_COMPLAINTS_PER_10K",
        "OFFICE",
        "10000 * OFFICE_COMPLAINTS / POPULATION",
        "lower",
        "per 10,000 residents",
        2,
        (
            "Complaints and motions per 10,000 residents",
            "Skargi i wnioski na 10 tys. mieszkańców",
            "Stížnosti a podněty na 10 000 obyvatel",
        ),
        (
            "Complaints and motions received per 10,000 residents; a signal of residents' "
            "satisfaction with the office.",
            "Skargi i wnioski na 10 tys. mieszkańców; sygnał zadowolenia mieszkańców z pracy "
            "urzędu.",
            "Stížnosti a podněty na 10 000 obyvatel; signál spokojenosti obyvatel s prací úřadu.",
        ),
    ),
]

# --- peer groups: (code, en, pl, cs, unit_types, members) ------------------------------------

PILOT_MEMBERS = ["2469011", "2466011", "2473011", "2410033", "2408032", "2408000"]

PEER_GROUPS: list[tuple[str, str, str, str, list[str] | None, list[str] | None]] = [
    (
        "CITIES",
        "Cities with county rights",
        "Miasta na prawach powiatu",
        "Statutární města",
        [CITY],
        None,
    ),
    ("GMINAS", "Gminas (municipalities)", "Gminy", "Obce", list(GMINA_TYPES), None),
    (
        "RURAL_GMINAS",
        "Rural and urban-rural gminas",
        "Gminy wiejskie i miejsko-wiejskie",
        "Venkovské a smíšené obce",
        ["gmina_rural", "gmina_mixed"],
        None,
    ),
    ("COUNTIES", "County offices", "Starostwa powiatowe", "Okresní úřady", [COUNTY], None),
    (
        "PILOT",
        "Pilot group of 2011",
        "Grupa pilotażowa z 2011 r.",
        "Pilotní skupina z roku 2011",
        None,
        PILOT_MEMBERS,
    ),
]

# --- units of measure: English as written in the tables above -> (pl, cs) ---------------

UNITS_OF_MEASURE: dict[str, tuple[str, str]] = {
    "%": ("%", "%"),
    "FTE": ("etaty", "úvazky"),
    "MWh": ("MWh", "MWh"),
    "PLN": ("zł", "PLN"),
    "count": ("liczba", "počet"),
    "days": ("dni", "dny"),
    "km²": ("km²", "km²"),
    "minutes": ("minuty", "minuty"),
    "persons": ("osoby", "osoby"),
    "pupils": ("uczniowie", "žáci"),
    "residents": ("mieszkańcy", "obyvatelé"),
    "t": ("t", "t"),
    "PLN per employee": ("zł na pracownika", "PLN na zaměstnance"),
    "PLN per pupil": ("zł na ucznia", "PLN na žáka"),
    "PLN per resident": ("zł na mieszkańca", "PLN na obyvatele"),
    "PLN per tonne": ("zł za tonę", "PLN za tunu"),
    "cases per FTE": ("sprawy na etat", "případy na úvazek"),
    "days per employee": ("dni na pracownika", "dny na zaměstnance"),
    "kWh per lamp": ("kWh na punkt świetlny", "kWh na světelné místo"),
    "kg per resident": ("kg na mieszkańca", "kg na obyvatele"),
    "offers per competition": ("oferty na konkurs", "nabídky na řízení"),
    "per 1,000 residents": ("na 1000 mieszkańców", "na 1 000 obyvatel"),
    "per 10,000 residents": ("na 10 tys. mieszkańców", "na 10 000 obyvatel"),
    "per 100 lamps": ("na 100 punktów świetlnych", "na 100 světelných míst"),
    "pupils per FTE": ("uczniowie na etat", "žáci na úvazek"),
    "pupils per class": ("uczniowie na oddział", "žáci na třídu"),
    "residents per km²": ("mieszkańcy na km²", "obyvatelé na km²"),
}


def unit_of_measure(unit: str) -> dict[str, str]:
    """A unit of measure of the tables above as the catalogue's {en, pl, cs} map."""
    pl_, cs = UNITS_OF_MEASURE[unit]
    return {"en": unit, "pl": pl_, "cs": cs}


# --- kinds of the variables (engine.kinds) -----------------------------------------------

#: By unit of measure; the exceptions below. Money, tonnes, MWh, FTE and km² are amounts.
_KIND_BY_UNIT = {
    "count": "count",
    "residents": "count",
    "pupils": "count",
    "persons": "count",
    "days": "duration",
    "minutes": "duration",
    "%": "percentage",
}
#: Average employment is an average of persons over the year: it may be fractional.
_KIND_EXCEPTIONS = {"HR_HEADCOUNT_AVG": "amount"}


def variable_kind(code: str, unit: str) -> str:
    """The kind of a demo variable: what its values may be (methodology.md)."""
    return _KIND_EXCEPTIONS.get(code) or _KIND_BY_UNIT.get(unit, "amount")


#: The size variable of the demo: volumes and costs grow with the number of residents, so
#: the outlier check compares them per resident. Not the context itself, nor averages,
#: results and waiting times, which do not grow with size.
SIZE_VARIABLE = "POPULATION"
NOT_SIZED = {"POPULATION", "AREA_KM2", "SCH_EXAM_SCORE", "VEH_AVG_WAIT_MIN"}

# --- validation rules: (code, rule, severity, (en, pl, cs)) ------------------------------
# The relations any expert checks first: a part never exceeds its whole, nothing is
# overturned that was not appealed, no department has more staff than the office.

_SERVICE_FTE = (
    "coalesce(PERMIT_FTE, 0) + coalesce(BUSINESS_FTE, 0) + coalesce(CIVIL_FTE, 0)"
    " + coalesce(VEH_FTE, 0) + coalesce(CIT_FTE, 0)"
)

VALIDATION_RULES: list[tuple[str, str, str, Names]] = [
    # PERMITS
    (
        "R_PERMITS_DEADLINE",
        "PERMITS_IN_DEADLINE <= PERMITS_ISSUED",
        "error",
        (
            "Decisions issued within the deadline cannot outnumber decisions issued.",
            "Decyzji wydanych w terminie nie może być więcej niż wszystkich wydanych decyzji.",
            "Rozhodnutí vydaných ve lhůtě nemůže být více než všech vydaných rozhodnutí.",
        ),
    ),
    (
        "R_PERMITS_APPEALED",
        "PERMITS_APPEALED <= PERMITS_ISSUED",
        "error",
        (
            "Decisions appealed cannot outnumber decisions issued.",
            "Decyzji zaskarżonych nie może być więcej niż wydanych decyzji.",
            "Rozhodnutí napadených odvoláním nemůže být více než vydaných rozhodnutí.",
        ),
    ),
    (
        "R_PERMITS_OVERTURNED",
        "PERMITS_OVERTURNED <= PERMITS_APPEALED",
        "error",
        (
            "Decisions overturned on appeal cannot outnumber decisions appealed.",
            "Decyzji uchylonych nie może być więcej niż decyzji zaskarżonych.",
            "Zrušených rozhodnutí nemůže být více než rozhodnutí napadených odvoláním.",
        ),
    ),
    (
        "R_PERMITS_APPLICATIONS",
        "PERMITS_ISSUED <= PERMIT_APPLICATIONS",
        "warning",
        (
            "More decisions than applications: explain if decisions on last year's "
            "applications are included.",
            "Więcej decyzji niż wniosków: wyjaśnij, jeśli obejmują decyzje w sprawie wniosków "
            "z poprzedniego roku.",
            "Více rozhodnutí než žádostí: vysvětlete, zda zahrnují rozhodnutí o žádostech z "
            "minulého roku.",
        ),
    ),
    # BUSINESS
    (
        "R_BUSINESS_NEXT_DAY",
        "BUSINESS_NEXT_DAY <= BUSINESS_APPLICATIONS",
        "error",
        (
            "Applications sent by the next working day cannot outnumber applications handled.",
            "Wniosków przesłanych następnego dnia nie może być więcej niż obsłużonych wniosków.",
            "Podání předaných následující den nemůže být více než vyřízených podání.",
        ),
    ),
    # CIVIL
    (
        "R_CIVIL_ONLINE",
        "CIVIL_ONLINE_REQUESTS <= CIVIL_CERTIFICATES",
        "warning",
        (
            "More electronic requests than certificates issued: explain refused requests.",
            "Więcej wniosków elektronicznych niż wydanych odpisów: wyjaśnij odmowy.",
            "Více elektronických žádostí než vydaných dokladů: vysvětlete zamítnuté žádosti.",
        ),
    ),
    # WASTE
    (
        "R_WASTE_RECYCLED",
        "WASTE_RECYCLED_T <= WASTE_COLLECTED_T",
        "error",
        (
            "Recycled waste cannot exceed the waste collected.",
            "Odpadów poddanych recyklingowi nie może być więcej niż zebranych odpadów.",
            "Recyklovaného odpadu nemůže být více než sebraného odpadu.",
        ),
    ),
    (
        "R_WASTE_FEES",
        "WASTE_FEES_PAID <= 1.1 * WASTE_FEES_DUE",
        "warning",
        (
            "Fees collected exceed fees due by more than 10 %: explain (arrears of earlier years?).",
            "Wpłacone opłaty przekraczają należne o ponad 10 %: wyjaśnij (zaległości z lat "
            "poprzednich?).",
            "Vybrané poplatky převyšují předepsané o více než 10 %: vysvětlete (nedoplatky z "
            "minulých let?).",
        ),
    ),
    # PROPTAX
    (
        "R_PROPTAX_ARREARS",
        "PROPTAX_ARREARS <= PROPTAX_DUE",
        "warning",
        (
            "Arrears exceed the tax due for the year: explain.",
            "Zaległości przekraczają podatek należny za rok: wyjaśnij.",
            "Nedoplatky převyšují daň předepsanou za rok: vysvětlete.",
        ),
    ),
    (
        "R_PROPTAX_ENFORCEMENT",
        "PROPTAX_ENFORCEMENT <= PROPTAX_REMINDERS",
        "error",
        (
            "An enforcement title follows a reminder: titles cannot outnumber reminders.",
            "Tytuł wykonawczy poprzedza upomnienie: tytułów nie może być więcej niż upomnień.",
            "Exekučnímu příkazu předchází upomínka: příkazů nemůže být více než upomínek.",
        ),
    ),
    # VEHICLES
    (
        "R_VEH_BOOKINGS",
        "VEH_ONLINE_BOOKINGS <= VEH_VISITS",
        "error",
        (
            "Visits booked online cannot outnumber visits.",
            "Wizyt zarezerwowanych przez internet nie może być więcej niż wszystkich wizyt.",
            "Návštěv rezervovaných online nemůže být více než všech návštěv.",
        ),
    ),
    # CITIZENS
    (
        "R_CIT_ONLINE",
        "CIT_ID_ONLINE <= CIT_ID_APPLICATIONS",
        "error",
        (
            "Online identity-card applications cannot outnumber all applications.",
            "Wniosków o dowód złożonych elektronicznie nie może być więcej niż wszystkich wniosków.",
            "Elektronických žádostí o občanský průkaz nemůže být více než všech žádostí.",
        ),
    ),
    # SCHOOLS
    (
        "R_SCH_CLASSES",
        "SCH_CLASSES <= SCH_PUPILS",
        "error",
        (
            "There cannot be more classes than pupils.",
            "Oddziałów nie może być więcej niż uczniów.",
            "Tříd nemůže být více než žáků.",
        ),
    ),
    (
        "R_SCH_SPENDING",
        "SCH_SPENDING <= BUDGET_TOTAL",
        "error",
        (
            "Spending on schools cannot exceed the total budget expenditure.",
            "Wydatki na szkoły nie mogą przekraczać wydatków budżetu ogółem.",
            "Výdaje na školy nemohou převýšit celkové výdaje rozpočtu.",
        ),
    ),
    # NGO
    (
        "R_NGO_CONTRACTS",
        "NGO_CONTRACTS <= NGO_OFFERS",
        "error",
        (
            "Grant contracts cannot outnumber the offers submitted.",
            "Umów dotacyjnych nie może być więcej niż złożonych ofert.",
            "Smluv o dotaci nemůže být více než podaných nabídek.",
        ),
    ),
    (
        "R_NGO_RETURNED",
        "NGO_RETURNED <= NGO_GRANTS_AMOUNT",
        "error",
        (
            "Grants returned cannot exceed the grants awarded.",
            "Zwrócone dotacje nie mogą przekraczać przyznanych dotacji.",
            "Vrácené dotace nemohou převýšit poskytnuté dotace.",
        ),
    ),
    (
        "R_NGO_BUDGET",
        "NGO_GRANTS_AMOUNT <= BUDGET_TOTAL",
        "error",
        (
            "Grants to NGOs cannot exceed the total budget expenditure.",
            "Dotacje dla organizacji pozarządowych nie mogą przekraczać wydatków budżetu ogółem.",
            "Dotace neziskovým organizacím nemohou převýšit celkové výdaje rozpočtu.",
        ),
    ),
    # HR
    (
        "R_HR_LEAVERS",
        "HR_LEAVERS <= HR_HEADCOUNT_AVG",
        "warning",
        (
            "More employees left than the office employs on average: explain.",
            "Odeszło więcej pracowników niż wynosi przeciętne zatrudnienie: wyjaśnij.",
            "Odešlo více zaměstnanců, než je průměrný počet zaměstnanců: vysvětlete.",
        ),
    ),
    (
        "R_HR_SICK_DAYS",
        "HR_SICK_DAYS <= 365 * HR_HEADCOUNT_AVG",
        "error",
        (
            "Sickness-absence days cannot exceed 365 days per employee.",
            "Dni absencji chorobowej nie mogą przekraczać 365 dni na pracownika.",
            "Dny pracovní neschopnosti nemohou převýšit 365 dnů na zaměstnance.",
        ),
    ),
    (
        "R_HR_TRAINING_DAYS",
        "HR_TRAINING_DAYS <= 250 * HR_HEADCOUNT_AVG",
        "error",
        (
            "Training days cannot exceed the 250 working days per employee.",
            "Dni szkoleniowe nie mogą przekraczać 250 dni roboczych na pracownika.",
            "Dny školení nemohou převýšit 250 pracovních dnů na zaměstnance.",
        ),
    ),
    # LIGHTING
    (
        "R_LIGHT_LED",
        "LIGHT_LED <= LIGHT_POINTS",
        "error",
        (
            "LED lamps cannot outnumber all street lamps.",
            "Punktów świetlnych LED nie może być więcej niż wszystkich punktów świetlnych.",
            "Světelných míst LED nemůže být více než všech světelných míst.",
        ),
    ),
    # OFFICE
    (
        "R_OFFICE_EDOCS",
        "OFFICE_EDOCS <= OFFICE_DOCS_TOTAL",
        "error",
        (
            "Documents received electronically cannot outnumber all documents received.",
            "Pism elektronicznych nie może być więcej niż wszystkich pism wpływających.",
            "Elektronických dokumentů nemůže být více než všech došlých dokumentů.",
        ),
    ),
    (
        "R_OFFICE_ADMIN_BUDGET",
        "OFFICE_ADMIN_COST <= BUDGET_TOTAL",
        "error",
        (
            "Administration expenditure cannot exceed the total budget expenditure.",
            "Wydatki na administrację nie mogą przekraczać wydatków budżetu ogółem.",
            "Výdaje na správu nemohou převýšit celkové výdaje rozpočtu.",
        ),
    ),
    (
        "R_SERVICE_FTE",
        f"{_SERVICE_FTE} <= STAFF_FTE",
        "error",
        (
            "The staff of the services together cannot exceed the staff of the office.",
            "Etaty obsługujące poszczególne zadania łącznie nie mogą przekraczać zatrudnienia "
            "w urzędzie.",
            "Úvazky jednotlivých agend dohromady nemohou převýšit počet zaměstnanců úřadu.",
        ),
    ),
]

# --- process costing and the process-managed office ----------------------------------------
# Not asked for by the yearly questionnaire (no unit type reports them there): the values
# come from process costing (each process's full cost and output, written where the
# office's process map names these variables) and, for the Czech office, from its
# document-management system (cases per month). Costs of the Polish offices are in PLN,
# the Czech office's in CZK, so each currency has its own variables.

#: Processes that several Polish demo offices share by code, so that their unit costs are
#: compared: (process code, variable prefix, (en, pl, cs) name of the output's process).
SHARED_PROCESSES: list[tuple[str, str, Names]] = [
    (
        "BUD_POZWOLENIE",
        "PROC_PERMIT",
        (
            "building-permit process",
            "procesu wydawania pozwoleń na budowę",
            "procesu vydávání stavebních povolení",
        ),
    ),
    (
        "KOM_REJESTRACJA",
        "PROC_VEHREG",
        (
            "vehicle-registration process",
            "procesu rejestracji pojazdów",
            "procesu registrace vozidel",
        ),
    ),
    (
        "OBY_DOWODY",
        "PROC_IDCARD",
        (
            "identity-card process",
            "procesu wydawania dowodów osobistych",
            "procesu vydávání občanských průkazů",
        ),
    ),
]

#: The Czech office's key processes, which it measures month by month: (area and variable
#: prefix, process code, (en, pl, cs) name of the service).
CZECH_KEY_PROCESSES: list[tuple[str, str, Names]] = [
    (
        "CZ_BUILD",
        "SU_STAVEBNI_POVOLENI",
        ("Building permits", "Pozwolenia na budowę", "Stavební povolení"),
    ),
    (
        "CZ_VEHREG",
        "OD_REGISTRACE_VOZIDEL",
        ("Vehicle registration", "Rejestracja pojazdów", "Registrace vozidel"),
    ),
    ("CZ_LICENCE", "OD_RIDICSKE_PRUKAZY", ("Driving licences", "Prawa jazdy", "Řidičské průkazy")),
    (
        "CZ_IDCARD",
        "OVV_OBCANSKE_PRUKAZY",
        ("Identity cards", "Dowody osobiste", "Občanské průkazy"),
    ),
    (
        "CZ_TRADE",
        "ZU_ZIVNOSTENSKY_REJSTRIK",
        ("Trade licensing", "Działalność gospodarcza", "Živnostenský rejstřík"),
    ),
]

PROCESS_COST_AREA = "PROC_COSTS"


def _czech_variables(prefix: str, s: Names) -> list[tuple[str, str | None, str, str, str, str]]:
    en, pl_, cs = s
    return [
        (
            f"{prefix}_COST",
            prefix,
            "CZK",
            f"{en}: full cost of the process",
            f"{pl_}: pełny koszt procesu",
            f"{cs}: úplné náklady procesu",
        ),
        (
            f"{prefix}_RECEIVED",
            prefix,
            "count",
            f"{en}: cases received",
            f"{pl_}: sprawy wpływające",
            f"{cs}: přijaté případy",
        ),
        (
            f"{prefix}_CLOSED",
            prefix,
            "count",
            f"{en}: cases closed (the process's output)",
            f"{pl_}: sprawy załatwione (produkt procesu)",
            f"{cs}: vyřízené případy (výstup procesu)",
        ),
        (
            f"{prefix}_IN_DEADLINE",
            prefix,
            "count",
            f"{en}: cases closed within the legal deadline",
            f"{pl_}: sprawy załatwione w terminie ustawowym",
            f"{cs}: případy vyřízené v zákonné lhůtě",
        ),
        (
            f"{prefix}_LEAD_DAYS",
            prefix,
            "days",
            f"{en}: average lead time of a case",
            f"{pl_}: średni czas załatwienia sprawy",
            f"{cs}: průměrná doba vyřízení případu",
        ),
        (
            f"{prefix}_COMPLAINTS",
            prefix,
            "count",
            f"{en}: complaints",
            f"{pl_}: skargi",
            f"{cs}: stížnosti",
        ),
    ]


def _czech_indicators(
    prefix: str, s: Names
) -> list[tuple[str, str, str, str, str, int, Names, Names]]:
    en, pl_, cs = s
    return [
        (
            f"{prefix}_UNIT_COST",
            prefix,
            f"{prefix}_COST / {prefix}_CLOSED",
            "lower",
            "CZK",
            2,
            (
                f"{en}: full cost of one case closed",
                f"{pl_}: pełny koszt załatwienia jednej sprawy",
                f"{cs}: úplné náklady na jeden vyřízený případ",
            ),
            (
                "The full cost of the process (its departments' working time, a share of the "
                "support departments and its direct costs) divided by the cases closed in the year.",
                "Pełny koszt procesu (czas pracy jego wydziałów, część kosztów komórek "
                "wspierających i koszty bezpośrednie) podzielony przez sprawy załatwione w roku.",
                "Úplné náklady procesu (pracovní doba jeho odborů, podíl podpůrných útvarů a "
                "přímé náklady) vydělené počtem případů vyřízených za rok.",
            ),
        ),
        (
            f"{prefix}_DEADLINE_SHARE",
            prefix,
            f"100 * {prefix}_IN_DEADLINE / {prefix}_CLOSED",
            "higher",
            "%",
            1,
            (
                f"{en}: cases closed within the legal deadline",
                f"{pl_}: odsetek spraw załatwionych w terminie",
                f"{cs}: podíl případů vyřízených v zákonné lhůtě",
            ),
            (
                "Share of the cases closed within the deadline set by law (the Code of "
                "Administrative Procedure or a special act).",
                "Odsetek spraw załatwionych w terminie określonym przepisami (kodeksem "
                "postępowania administracyjnego lub ustawą szczególną).",
                "Podíl případů vyřízených ve lhůtě stanovené zákonem (správním řádem nebo "
                "zvláštním zákonem).",
            ),
        ),
        (
            f"{prefix}_LEAD_TIME",
            prefix,
            f"{prefix}_LEAD_DAYS",
            "lower",
            "days",
            1,
            (
                f"{en}: average lead time",
                f"{pl_}: średni czas załatwienia",
                f"{cs}: průměrná doba vyřízení",
            ),
            (
                "Average number of days from the receipt of a case to its closure.",
                "Średnia liczba dni od wpływu sprawy do jej załatwienia.",
                "Průměrný počet dní od přijetí případu do jeho vyřízení.",
            ),
        ),
        (
            f"{prefix}_COMPLAINT_RATE",
            prefix,
            f"1000 * {prefix}_COMPLAINTS / {prefix}_CLOSED",
            "lower",
            "per 1,000 cases",
            2,
            (
                f"{en}: complaints per 1,000 cases closed",
                f"{pl_}: skargi na 1000 załatwionych spraw",
                f"{cs}: stížnosti na 1 000 vyřízených případů",
            ),
            (
                "Complaints about the handling of cases per 1,000 cases closed; a signal of "
                "the clients' satisfaction.",
                "Skargi na sposób załatwienia spraw na 1000 załatwionych spraw; sygnał "
                "zadowolenia klientów.",
                "Stížnosti na vyřizování případů na 1 000 vyřízených případů; signál "
                "spokojenosti klientů.",
            ),
        ),
        (
            f"{prefix}_CLEARANCE",
            prefix,
            f"100 * {prefix}_CLOSED / {prefix}_RECEIVED",
            "higher",
            "%",
            1,
            (
                f"{en}: cases closed per case received",
                f"{pl_}: sprawy załatwione w stosunku do wpływających",
                f"{cs}: vyřízené případy vůči přijatým",
            ),
            (
                "Cases closed as a share of the cases received; below 100 % the backlog grows.",
                "Sprawy załatwione jako odsetek spraw wpływających; poniżej 100 % rosną "
                "zaległości.",
                "Vyřízené případy jako podíl přijatých; pod 100 % roste počet nevyřízených.",
            ),
        ),
    ]


PROCESS_SERVICE_AREAS: list[tuple[str, str, str, str]] = [
    (
        PROCESS_COST_AREA,
        "Process costs (full costing)",
        "Koszty procesów (rachunek kosztów pełnych)",
        "Náklady procesů (úplné náklady)",
    ),
] + [
    (prefix, f"{en}: process criteria", f"{pl_}: kryteria procesu", f"{cs}: kritéria procesu")
    for prefix, _process, (en, pl_, cs) in CZECH_KEY_PROCESSES
]

PROCESS_VARIABLES: list[tuple[str, str | None, str, str, str, str]] = [
    variable
    for _process, prefix, (en, pl_, cs) in SHARED_PROCESSES
    for variable in (
        (
            f"{prefix}_COST",
            PROCESS_COST_AREA,
            "PLN",
            f"Full cost of the {en}",
            f"Pełny koszt {pl_}",
            f"Úplné náklady {cs}",
        ),
        (
            f"{prefix}_OUTPUT",
            PROCESS_COST_AREA,
            "count",
            f"Output of the {en}",
            f"Produkt {pl_}",
            f"Výstup {cs}",
        ),
    )
] + [
    variable
    for prefix, _process, names in CZECH_KEY_PROCESSES
    for variable in _czech_variables(prefix, names)
]

PROCESS_INDICATORS: list[tuple[str, str, str, str, str, int, Names, Names]] = [
    (
        "PROC_PERMIT_UNIT_COST",
        PROCESS_COST_AREA,
        "PROC_PERMIT_COST / PROC_PERMIT_OUTPUT",
        "lower",
        "PLN",
        2,
        (
            "Full cost of one building-permit decision",
            "Pełny koszt wydania jednej decyzji o pozwoleniu na budowę",
            "Úplné náklady na jedno rozhodnutí o stavebním povolení",
        ),
        (
            "The full cost of the building-permit process (its departments' working time, a "
            "share of the support departments and its direct costs) per decision issued.",
            "Pełny koszt procesu wydawania pozwoleń na budowę (czas pracy wydziałów, część "
            "kosztów komórek wspierających i koszty bezpośrednie) na jedną wydaną decyzję.",
            "Úplné náklady procesu vydávání stavebních povolení (pracovní doba odborů, podíl "
            "podpůrných útvarů a přímé náklady) na jedno vydané rozhodnutí.",
        ),
    ),
    (
        "PROC_VEHREG_UNIT_COST",
        PROCESS_COST_AREA,
        "PROC_VEHREG_COST / PROC_VEHREG_OUTPUT",
        "lower",
        "PLN",
        2,
        (
            "Full cost of registering one vehicle",
            "Pełny koszt rejestracji jednego pojazdu",
            "Úplné náklady na registraci jednoho vozidla",
        ),
        (
            "The full cost of the vehicle-registration process per vehicle registered, from "
            "the offices' process costing.",
            "Pełny koszt procesu rejestracji pojazdów na jeden zarejestrowany pojazd, z "
            "rachunku kosztów procesów urzędów.",
            "Úplné náklady procesu registrace vozidel na jedno registrované vozidlo, z "
            "kalkulace nákladů procesů úřadů.",
        ),
    ),
    (
        "PROC_IDCARD_UNIT_COST",
        PROCESS_COST_AREA,
        "PROC_IDCARD_COST / PROC_IDCARD_OUTPUT",
        "lower",
        "PLN",
        2,
        (
            "Full cost of issuing one identity card",
            "Pełny koszt wydania jednego dowodu osobistego",
            "Úplné náklady na vydání jednoho občanského průkazu",
        ),
        (
            "The full cost of the identity-card process per card issued, from the offices' "
            "process costing.",
            "Pełny koszt procesu wydawania dowodów osobistych na jeden wydany dowód, z "
            "rachunku kosztów procesów urzędów.",
            "Úplné náklady procesu vydávání občanských průkazů na jeden vydaný průkaz, z "
            "kalkulace nákladů procesů úřadů.",
        ),
    ),
] + [
    indicator
    for prefix, _process, names in CZECH_KEY_PROCESSES
    for indicator in _czech_indicators(prefix, names)
]

PROCESS_VALIDATION_RULES: list[tuple[str, str, str, Names]] = [
    (
        "R_PROC_COSTS_BUDGET",
        "coalesce(PROC_PERMIT_COST, 0) + coalesce(PROC_VEHREG_COST, 0)"
        " + coalesce(PROC_IDCARD_COST, 0) <= BUDGET_TOTAL",
        "error",
        (
            "The costs of the processes together cannot exceed the total budget expenditure.",
            "Koszty procesów łącznie nie mogą przekraczać wydatków budżetu ogółem.",
            "Náklady procesů dohromady nemohou převýšit celkové výdaje rozpočtu.",
        ),
    ),
] + [
    (
        f"R_{prefix}_IN_DEADLINE",
        f"{prefix}_IN_DEADLINE <= {prefix}_CLOSED",
        "error",
        (
            f"{en}: cases closed within the deadline cannot outnumber cases closed.",
            f"{pl_}: spraw załatwionych w terminie nie może być więcej niż załatwionych spraw.",
            f"{cs}: případů vyřízených ve lhůtě nemůže být více než vyřízených případů.",
        ),
    )
    for prefix, _process, (en, pl_, cs) in CZECH_KEY_PROCESSES
]

#: The areas whose values come from process costing and offices' systems, not the
#: questionnaire; the collection cycle does not ask for them.
PROCESS_AREAS = {code for code, *_names in PROCESS_SERVICE_AREAS}
AREA_UNIT_TYPES.update({code: () for code in PROCESS_AREAS})
UNITS_OF_MEASURE.update(
    {
        "CZK": ("CZK", "Kč"),
        "per 1,000 cases": ("na 1000 spraw", "na 1 000 případů"),
    }
)
#: Monthly data and the one Czech office's costs: not compared per resident.
NOT_SIZED |= {code for code, area, *_rest in PROCESS_VARIABLES if area != PROCESS_COST_AREA}
