"""The words of a case's story (hub.ops.casestory) in the case's language: Swedish for a
Swedish grid owner's case, Norwegian bokmål for a Norwegian one. A handler reads these, so
no message type names and no connector jargon beyond the system's own name."""

from __future__ import annotations

from typing import Literal

Lang = Literal["sv", "nb"]

TEXT: dict[str, tuple[str, str]] = {
    # key: (Swedish, Norwegian bokmål)
    "status": ("Status", "Status"),
    "undelivered": ("Kunde inte levereras till {target}", "Kunne ikke leveres til {target}"),
    "final": ("Inget: ärendet är {status}.", "Ingenting: saken er {status}."),
    "person_pre": ("En handläggare i handläggarkön: föranmälan ska godkännas eller avvisas.",
                   "En saksbehandler i saksbehandlerkøen: forhåndsmeldingen skal godkjennes "
                   "eller avvises."),
    "person_completion": ("En handläggare i handläggarkön: färdiganmälan ska godkännas eller "
                          "avvisas.",
                          "En saksbehandler i saksbehandlerkøen: ferdigmeldingen skal "
                          "godkjennes eller avvises."),
    "paused": ("En pausad koppling: {target} pausades av {by} ({reason}).",
               "En pauset kobling: {target} ble pauset av {by} ({reason})."),
    "retry": ("Ett nytt försök att leverera till {target} {due}; {attempts} försök har "
              "misslyckats ({error}).",
              "Et nytt forsøk på å levere til {target} {due}; {attempts} forsøk har feilet "
              "({error})."),
    "held": ("Leverans till {target}: väntar bakom ett tidigare meddelande i ärendet.",
             "Levering til {target}: venter bak en tidligere melding i saken."),
    "answer": ("Svar på hubbens förfrågningar (hittills svar från {got}); ger upp {expires}.",
               "Svar på hubens forespørsler (så langt svar fra {got}); gir opp {expires}."),
    "workorder": ("Svar från mätsamordnaren: arbetsordern är skapad men inte avrapporterad.",
                  "Svar fra målekoordinatoren: arbeidsordren er opprettet, men ikke "
                  "ferdigmeldt."),
    "installer_completion": ("Installatören: färdiganmälan när arbetet är klart.",
                             "Installatøren: ferdigmelding når arbeidet er ferdig."),
    "installer_resubmit": ("Installatören: en rättad föranmälan.",
                           "Installatøren: en rettet forhåndsmelding."),
    "installer_recomplete": ("Installatören: en rättad färdiganmälan.",
                             "Installatøren: en rettet ferdigmelding."),
    "unknown": ("Inget som hubben känner till just nu (status {status}).",
                "Ingenting huben kjenner til akkurat nå (status {status})."),
    "nobody": ("ingen ännu", "ingen ennå"),
}

WHO: dict[str, tuple[str, str]] = {
    "elsmart": ("installatören (Elsmart)", "installatøren (Elsmart)"),
    "handler": ("handläggare", "saksbehandler"),
    "hub": ("gridhub", "gridhub"),
    "kis": ("kundsystemet (KIS)", "kundesystemet (KIS)"),
    "nis": ("nätinformationssystemet (NIS)", "nettinformasjonssystemet (NIS)"),
    "metering": ("mätsamordnaren", "målekoordinatoren"),
    "notify": ("utskicket", "utsendingen"),
    "elhub": ("Elhub", "Elhub"),
    "ediel": ("Ediel", "Ediel"),
}


def say(key: str, lang: Lang, **values: object) -> str:
    sv, nb = TEXT[key]
    return (sv if lang == "sv" else nb).format(**values)


def who(system: str, lang: Lang) -> str:
    names = WHO.get(system)
    return system if names is None else (names[0] if lang == "sv" else names[1])
