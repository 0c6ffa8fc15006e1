"""Common Danish first names and surnames, shipped with fieldnotes.

They serve two purposes: detection (a capitalised word that is a known name is a candidate for the
register) and generated pseudonyms (`pseudonyms add --from-participants` picks from them). They are
lists of common names, not of anyone in particular. Generated pseudonyms keep a person's apparent
gender where the first name is in one of the lists, which keeps quotes readable ("hun" still fits).
"""

from __future__ import annotations

FEMALE: tuple[str, ...] = (
    "Agnes", "Alma", "Amalie", "Ane", "Anette", "Anna", "Anne", "Annette", "Astrid", "Asta", "Benedikte", "Bente",
    "Berit", "Bettina", "Birgitte", "Birthe", "Camilla", "Caroline", "Cecilie", "Charlotte", "Christina", "Clara",
    "Dagmar", "Ditte", "Dorte", "Dorthe", "Ella", "Ellen", "Else", "Emma", "Esther", "Eva", "Freja", "Frida",
    "Gerda", "Gitte", "Grethe", "Gry", "Hanna", "Hanne", "Heidi", "Helle", "Ida", "Inge", "Inger", "Isabella",
    "Jeanette", "Jette", "Johanne", "Josefine", "Julie", "Jytte", "Karen", "Karin", "Karina", "Karla", "Katrine",
    "Kirsten", "Laura", "Lea", "Lene", "Line", "Lis", "Lisa", "Lisbeth", "Lise", "Liva", "Lone", "Louise",
    "Lærke", "Maja", "Majken", "Malene", "Margrethe", "Maria", "Marianne", "Marie", "Mathilde", "Merete",
    "Mette", "Mia", "Nanna", "Nina", "Pernille", "Pia", "Rebecca", "Rikke", "Ruth", "Sanne", "Sara", "Sarah",
    "Sidsel", "Signe", "Sofie", "Stine", "Susanne", "Tanja", "Tina", "Tove", "Trine", "Ulla", "Vibeke", "Vigga",
)

MALE: tuple[str, ...] = (
    "Aksel", "Albert", "Alexander", "Allan", "Anders", "Anton", "Arne", "Asger", "August", "Benny", "Bent",
    "Bjarne", "Bo", "Brian", "Carl", "Carsten", "Christian", "Christoffer", "Claus", "Daniel", "Dennis", "Ebbe",
    "Elias", "Emil", "Erik", "Esben", "Finn", "Flemming", "Frank", "Frederik", "Gustav", "Hans", "Henning",
    "Henrik", "Hugo", "Ib", "Jacob", "Jakob", "Jan", "Jens", "Jesper", "Johannes", "Jonas", "Jørgen", "Karl",
    "Kasper", "Kenneth", "Kim", "Klaus", "Knud", "Kristian", "Kurt", "Lars", "Leif", "Lucas", "Magnus",
    "Malthe", "Martin", "Mathias", "Mads", "Michael", "Mikkel", "Morten", "Niels", "Nikolaj", "Noah", "Ole",
    "Oliver", "Oscar", "Palle", "Peter", "Per", "Poul", "Preben", "Rasmus", "René", "Sebastian", "Simon",
    "Steen", "Steffen", "Svend", "Søren", "Thomas", "Thor", "Tobias", "Tommy", "Torben", "Troels", "Uffe",
    "Valdemar", "Victor", "Villads", "William",
)

SURNAMES: tuple[str, ...] = (
    "Aagaard", "Andersen", "Andreasen", "Bach", "Bak", "Bech", "Berg", "Bertelsen", "Bisgaard", "Brandt",
    "Bruun", "Bundgaard", "Carlsen", "Christensen", "Christiansen", "Clausen", "Dahl", "Dam", "Damgaard",
    "Danielsen", "Eriksen", "Frandsen", "Frederiksen", "Friis", "Frost", "Gade", "Gregersen", "Hansen",
    "Henriksen", "Hermansen", "Holm", "Holmgaard", "Holst", "Holt", "Hviid", "Iversen", "Jacobsen", "Jakobsen",
    "Jensen", "Jeppesen", "Jepsen", "Jespersen", "Jessen", "Johansen", "Juhl", "Jørgensen", "Kjeldsen", "Kjær",
    "Klausen", "Knudsen", "Koch", "Kristensen", "Kristiansen", "Krogh", "Larsen", "Lassen", "Laursen",
    "Lauridsen", "Lind", "Lindberg", "Lund", "Lykke", "Madsen", "Mikkelsen", "Mogensen", "Mortensen", "Munk",
    "Møller", "Nielsen", "Nissen", "Nygaard", "Nørgaard", "Olesen", "Olsen", "Overgaard", "Pedersen",
    "Petersen", "Poulsen", "Rasmussen", "Ravn", "Schmidt", "Schou", "Simonsen", "Skov", "Steffensen", "Storm",
    "Svendsen", "Søndergaard", "Sørensen", "Thomsen", "Thorsen", "Thygesen", "Toft", "Vestergaard", "Vinther",
    "Winther", "Østergaard",
)

FIRST_NAMES: frozenset[str] = frozenset(FEMALE) | frozenset(MALE)
ALL_NAMES: frozenset[str] = FIRST_NAMES | frozenset(SURNAMES)

#: names that are also ordinary Danish words: capitalised at the start of a sentence they are not names
COMMON_WORDS: frozenset[str] = frozenset({
    "Bak", "Berg", "Bo", "Dam", "Frank", "Frost", "Gade", "Gry", "Hans", "Holm", "Holt", "Kjær", "Lind", "Lund",
    "Lykke", "Munk", "Per", "Ravn", "Skov", "Storm", "Toft", "Lis", "Ruth", "Karl", "Kim", "Sten",
})

#: words after which a capitalised word is very likely a person's name ("borgeren Amira", "hedder Kim")
ROLE_WORDS: frozenset[str] = frozenset({
    "borger", "borgeren", "borgerens", "sagsbehandler", "sagsbehandleren", "leder", "lederen", "chef", "chefen",
    "konsulent", "konsulenten", "virksomhedskonsulent", "virksomhedskonsulenten", "kollega", "kollegaen",
    "kollegen", "medarbejder", "medarbejderen", "mentor", "mentoren", "hedder", "hed", "kaldet", "fru", "hr.",
    "datter", "datteren", "søn", "sønnen", "mand", "manden", "kone", "konen", "kæreste", "kæresten",
})


def gender_of(first_name: str) -> str | None:
    """'f', 'm', or None when the name is in neither list (or in both)."""
    female, male = first_name in FEMALE, first_name in MALE
    if female == male:
        return None
    return "f" if female else "m"
