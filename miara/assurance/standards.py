"""The built-in checklist templates, as data: the 22 standards of management control in
five areas (the Minister of Finance's Communication no. 23 of 16 December 2009, Official
Journal of the Ministry of Finance no. 15, item 84) and a short quality-system checklist
after the clauses of ISO 9001:2015. Each text is in English, Polish and Czech.

A migration writes them (`templates_ensure`); they have no unit, so every office uses
them and none changes them. An office adds its own templates beside them.
"""

from __future__ import annotations

MC_AREAS = {
    "A": {
        "en": "A. Internal environment",
        "pl": "A. Środowisko wewnętrzne",
        "cs": "A. Vnitřní prostředí",
    },
    "B": {
        "en": "B. Objectives and risk management",
        "pl": "B. Cele i zarządzanie ryzykiem",
        "cs": "B. Cíle a řízení rizik",
    },
    "C": {
        "en": "C. Control mechanisms",
        "pl": "C. Mechanizmy kontroli",
        "cs": "C. Kontrolní mechanismy",
    },
    "D": {
        "en": "D. Information and communication",
        "pl": "D. Informacja i komunikacja",
        "cs": "D. Informace a komunikace",
    },
    "E": {
        "en": "E. Monitoring and assessment",
        "pl": "E. Monitorowanie i ocena",
        "cs": "E. Monitorování a hodnocení",
    },
}

# (area, number, en, pl, cs)
MC_STANDARDS = [
    (
        "A",
        1,
        "Observance of ethical values",
        "Przestrzeganie wartości etycznych",
        "Dodržování etických hodnot",
    ),
    ("A", 2, "Professional competence", "Kompetencje zawodowe", "Odborná způsobilost"),
    ("A", 3, "Organisational structure", "Struktura organizacyjna", "Organizační struktura"),
    ("A", 4, "Delegation of authority", "Delegowanie uprawnień", "Delegování pravomocí"),
    ("B", 5, "Mission", "Misja", "Poslání"),
    (
        "B",
        6,
        "Setting objectives and tasks, monitoring and assessing their achievement",
        "Określanie celów i zadań, monitorowanie i ocena ich realizacji",
        "Stanovení cílů a úkolů, sledování a hodnocení jejich plnění",
    ),
    ("B", 7, "Identification of risks", "Identyfikacja ryzyka", "Identifikace rizik"),
    ("B", 8, "Analysis of risks", "Analiza ryzyka", "Analýza rizik"),
    ("B", 9, "Response to risks", "Reakcja na ryzyko", "Reakce na rizika"),
    (
        "C",
        10,
        "Documentation of the management control system",
        "Dokumentowanie systemu kontroli zarządczej",
        "Dokumentace systému řídicí kontroly",
    ),
    ("C", 11, "Supervision", "Nadzór", "Dohled"),
    ("C", 12, "Continuity of operations", "Ciągłość działalności", "Kontinuita činnosti"),
    ("C", 13, "Protection of resources", "Ochrona zasobów", "Ochrana zdrojů"),
    (
        "C",
        14,
        "Detailed control mechanisms of financial and economic operations",
        "Szczegółowe mechanizmy kontroli dotyczące operacji finansowych i gospodarczych",
        "Podrobné kontrolní mechanismy finančních a hospodářských operací",
    ),
    (
        "C",
        15,
        "Control mechanisms of information systems",
        "Mechanizmy kontroli dotyczące systemów informatycznych",
        "Kontrolní mechanismy informačních systémů",
    ),
    ("D", 16, "Current information", "Bieżąca informacja", "Průběžné informace"),
    ("D", 17, "Internal communication", "Komunikacja wewnętrzna", "Vnitřní komunikace"),
    ("D", 18, "External communication", "Komunikacja zewnętrzna", "Vnější komunikace"),
    (
        "E",
        19,
        "Monitoring of the management control system",
        "Monitorowanie systemu kontroli zarządczej",
        "Monitorování systému řídicí kontroly",
    ),
    ("E", 20, "Self-assessment", "Samoocena", "Sebehodnocení"),
    ("E", 21, "Internal audit", "Audyt wewnętrzny", "Interní audit"),
    (
        "E",
        22,
        "Obtaining assurance about the state of management control",
        "Uzyskanie zapewnienia o stanie kontroli zarządczej",
        "Získání ujištění o stavu řídicí kontroly",
    ),
]

QUALITY_AREAS = {
    "4": {
        "en": "4. Context of the organisation",
        "pl": "4. Kontekst organizacji",
        "cs": "4. Kontext organizace",
    },
    "5": {"en": "5. Leadership", "pl": "5. Przywództwo", "cs": "5. Vedení"},
    "6": {"en": "6. Planning", "pl": "6. Planowanie", "cs": "6. Plánování"},
    "7": {"en": "7. Support", "pl": "7. Wsparcie", "cs": "7. Podpora"},
    "8": {"en": "8. Operation", "pl": "8. Działania operacyjne", "cs": "8. Provoz"},
    "9": {
        "en": "9. Performance evaluation",
        "pl": "9. Ocena efektów działania",
        "cs": "9. Hodnocení výkonnosti",
    },
    "10": {"en": "10. Improvement", "pl": "10. Doskonalenie", "cs": "10. Zlepšování"},
}

# (area, code, en, pl, cs)
QUALITY_ITEMS = [
    (
        "4",
        "4.3",
        "The scope of the quality system and the needs of interested parties are defined",
        "Określono zakres systemu zarządzania jakością i potrzeby stron zainteresowanych",
        "Je vymezen rozsah systému managementu kvality a potřeby zainteresovaných stran",
    ),
    (
        "5",
        "5.2",
        "A quality policy is set by the management and known to the staff",
        "Kierownictwo ustaliło politykę jakości, a pracownicy ją znają",
        "Vedení stanovilo politiku kvality a zaměstnanci ji znají",
    ),
    (
        "6",
        "6.1",
        "Risks and opportunities are identified and addressed",
        "Ryzyka i szanse są identyfikowane i uwzględniane",
        "Rizika a příležitosti jsou identifikovány a řešeny",
    ),
    (
        "6",
        "6.2",
        "Quality objectives are measurable and their achievement is planned",
        "Cele jakościowe są mierzalne, a ich osiąganie zaplanowane",
        "Cíle kvality jsou měřitelné a jejich dosažení je naplánováno",
    ),
    (
        "7",
        "7.2",
        "Staff are competent for their work and their training is recorded",
        "Pracownicy mają kompetencje do swojej pracy, a ich szkolenia są udokumentowane",
        "Zaměstnanci jsou pro svou práci způsobilí a jejich školení jsou zaznamenána",
    ),
    (
        "7",
        "7.5",
        "Documented information is controlled (versions, approval, access)",
        "Udokumentowane informacje są nadzorowane (wersje, zatwierdzanie, dostęp)",
        "Dokumentované informace jsou řízeny (verze, schvalování, přístup)",
    ),
    (
        "8",
        "8.1",
        "Service processes are planned and controlled",
        "Procesy świadczenia usług są planowane i nadzorowane",
        "Procesy poskytování služeb jsou plánovány a řízeny",
    ),
    (
        "8",
        "8.2",
        "The requirements of services and citizens' needs are determined",
        "Określono wymagania dotyczące usług i potrzeby mieszkańców",
        "Jsou stanoveny požadavky na služby a potřeby občanů",
    ),
    (
        "9",
        "9.1",
        "Performance and citizens' satisfaction are monitored and measured",
        "Efekty działania i zadowolenie mieszkańców są monitorowane i mierzone",
        "Výkonnost a spokojenost občanů jsou sledovány a měřeny",
    ),
    (
        "9",
        "9.2",
        "Internal audits are planned and carried out",
        "Audyty wewnętrzne są planowane i przeprowadzane",
        "Interní audity jsou plánovány a prováděny",
    ),
    (
        "9",
        "9.3",
        "The management reviews the quality system at planned intervals",
        "Kierownictwo w zaplanowanych odstępach przegląda system zarządzania jakością",
        "Vedení v plánovaných intervalech přezkoumává systém managementu kvality",
    ),
    (
        "10",
        "10.2",
        "Nonconformities are corrected and their causes removed",
        "Niezgodności są korygowane, a ich przyczyny usuwane",
        "Neshody jsou napravovány a jejich příčiny odstraňovány",
    ),
    (
        "10",
        "10.3",
        "The quality system is continually improved",
        "System zarządzania jakością jest ciągle doskonalony",
        "Systém managementu kvality je neustále zlepšován",
    ),
]

TEMPLATES = [
    {
        "code": "MC_STANDARDS",
        "name": {
            "en": "Standards of management control (Communication no. 23 of 2009)",
            "pl": "Standardy kontroli zarządczej (Komunikat nr 23 z 2009 r.)",
            "cs": "Standardy řídicí kontroly (sdělení č. 23 z roku 2009)",
        },
        "items": [
            {
                "code": f"{area}{number}",
                "area": MC_AREAS[area],
                "text": {"en": en, "pl": pl, "cs": cs},
            }
            for area, number, en, pl, cs in MC_STANDARDS
        ],
    },
    {
        "code": "QUALITY",
        "name": {
            "en": "Quality system (after ISO 9001:2015)",
            "pl": "System zarządzania jakością (wg ISO 9001:2015)",
            "cs": "Systém managementu kvality (podle ISO 9001:2015)",
        },
        "items": [
            {"code": code, "area": QUALITY_AREAS[area], "text": {"en": en, "pl": pl, "cs": cs}}
            for area, code, en, pl, cs in QUALITY_ITEMS
        ],
    },
]


def templates_ensure(template_model, item_model) -> None:
    """Write the built-in templates (models given, so a migration passes its historical
    ones): create what is missing, bring the texts up to date, never remove answers."""
    for data in TEMPLATES:
        template, _created = template_model.objects.update_or_create(
            unit=None, code=data["code"], defaults={"name": data["name"]}
        )
        for position, item in enumerate(data["items"], start=1):
            item_model.objects.update_or_create(
                template=template,
                code=item["code"],
                defaults={"area": item["area"], "text": item["text"], "position": position},
            )
