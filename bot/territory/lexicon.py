"""Words the place matcher knows besides the official names: short forms, former regions,
context words, and words that must never be read as a place on their own.

Every string here is already normalised (bot.nlu.normalize.normalize): lower case, no accents,
hyphens and apostrophes turned into spaces.
"""

from __future__ import annotations

# Region short forms and usual names -> current region code (INSEE).
REGION_ALIASES: dict[str, str] = {
    "idf": "11",
    "ile de france": "11",
    "region parisienne": "11",
    "region ile de france": "11",
    "cvl": "24",
    "centre val de loire": "24",
    "region centre": "24",
    "centre": "24",  # needs a place context: "centre social" is not a place
    "bfc": "27",
    "bourgogne franche comte": "27",
    "hdf": "32",
    "hauts de france": "32",
    "grand est": "44",
    "pdl": "52",
    "pays de la loire": "52",
    "na": "75",  # needs a place context
    "nouvelle aquitaine": "75",
    "occitanie": "76",
    "aura": "84",  # needs a place context: "il y aura"
    "auvergne rhone alpes": "84",
    "paca": "93",
    "provence alpes cote d azur": "93",
    "provence": "93",
    "cote d azur": "93",
    "region sud": "93",
    "sud": "93",  # needs a place context
    "corse": "94",
    "corsica": "94",
    "reunion": "04",  # needs a place context: "une reunion" is a meeting
    "ile de la reunion": "04",
    "guyane francaise": "03",
    # Former regions (before 2016) -> the current region.
    "aquitaine": "75",
    "limousin": "75",
    "poitou charentes": "75",
    "poitou": "75",
    "midi pyrenees": "76",
    "languedoc roussillon": "76",
    "languedoc": "76",
    "rhone alpes": "84",
    "auvergne": "84",
    "bourgogne": "27",
    "franche comte": "27",
    "alsace": "44",
    "lorraine": "44",
    "champagne ardenne": "44",
    "champagne ardennes": "44",
    "nord pas de calais": "32",
    "picardie": "32",
    "basse normandie": "28",
    "haute normandie": "28",
}

# Other names of departments and collectivities.
DEPARTMENT_ALIASES: dict[str, str] = {
    "corse du sud": "2A",
    "haute corse": "2B",
    "territoire de belfort": "90",
    "wallis et futuna": "986",
    "wallis": "986",
    "spm": "975",
    "st pierre et miquelon": "975",
    "polynesie": "987",
    "tahiti": "987",
    "caledonie": "988",
    "saint barth": "977",
    "st barth": "977",
}

# Region or department names that are ordinary words: accepted only with a place context
# ("dans le Nord", "en Creuse", "cress centre") or when a place is expected.
AREA_NAMES_NEEDING_CONTEXT: frozenset[str] = frozenset(
    {
        "reunion", "la reunion", "cher", "lot", "somme", "manche", "nord", "var", "aube", "orne", "creuse",
        "allier", "vienne", "landes", "ain", "marne", "meuse",
    }
)  # fmt: skip

# Short forms that are also very common words: only after "region", "cress" or "en" (or when a
# place is expected): "cress centre", "region sud", "en aura"; never "au centre ville".
AREA_NAMES_NEEDING_STRICT_CONTEXT: frozenset[str] = frozenset({"centre", "sud", "na", "aura"})
STRICT_CONTEXT: frozenset[str] = frozenset({"region", "cress", "en"})

# Commune names that are common words even though a big town bears them, or acronyms
# ("DROM": departements et regions d'outre-mer).
COMMUNES_ALWAYS_NEEDING_CONTEXT: frozenset[str] = frozenset({"tours", "drom"})

# First names that are also communes (Yves, Francois...): ordinary words here; and a name right
# after a first name is a surname ("Laurent Fraisse"), not a place.
FIRST_NAMES: frozenset[str] = frozenset(
    """
    alain alexandre alice andre anne antoine arnaud aurelie bernard bruno camille catherine
    cecile celine charles christian christine christophe claire claude daniel david denis didier
    dominique emilie emmanuel eric etienne fabrice florence francois francoise frederic gerard
    gilles guillaume helene henri isabelle jacques jean jeanne jerome julie julien laurence laurent
    louis luc lucie marc marie martin mathieu michel monique nathalie nicolas olivier pascal patrick
    paul philippe pierre remi rene robert sandrine sebastien sophie stephane sylvie thierry thomas
    valerie vincent virginie xavier yves marianne alex max leo lea hugo lucas louise jules emma
    chloe manon sarah ines adam nina mathis tom theo rose victor arthur noah
    """.split()
)
# A commune name made of ordinary words is accepted without context from this population on
# ("Bordeaux", "Rennes", "Le Havre"): such towns are far more often meant than the word.
FREE_POPULATION = 50_000

# Articles and prepositions that may appear inside place names ("la", "sur", "en").
STOPWORDS: frozenset[str] = frozenset(
    {"le", "la", "les", "l", "de", "du", "des", "d", "a", "au", "aux", "en", "et", "sur", "sous",
     "y", "un", "une", "lez", "s"}
)  # fmt: skip

# Words that announce a town ("a Brest", "au Havre", "sur Lyon", "pres de Dijon").
COMMUNE_CONTEXT: frozenset[str] = frozenset(
    {"a", "au", "aux", "vers", "pres", "proche", "habite", "ville", "commune", "cress",
     "secteur", "region", "depuis", "situe", "situee", "base", "basee", "localise", "localisee"}
)  # fmt: skip
# Words before "a" that make it the preposition "à" rather than the verb "a" ("je suis a Plaisir"
# but "la loi a change"); only checked for town names that are ordinary words.
PLACE_VERBS: frozenset[str] = frozenset(
    {"suis", "sommes", "est", "es", "etes", "sont", "habite", "habites", "habitons", "habitez", "vis",
     "vit", "vivons", "vivez", "situe", "situee", "situes", "situees", "base", "basee", "bases",
     "basees", "installe", "installee", "installes", "installees", "travaille", "travaillons", "reside",
     "implante", "implantee", "localise", "localisee", "trouve", "trouvee", "cress", "aller", "vais",
     "va", "allons", "demenage", "demenager", "venir", "viens", "vient", "installer", "implanter"}
)  # fmt: skip

# Words that announce a region or a department ("en Bretagne", "dans le Nord").
AREA_CONTEXT: frozenset[str] = frozenset(
    {"en", "dans", "departement", "dept", "dep", "dpt", "region", "cress", "a", "au", "aux", "sur",
     "vers", "habite", "situe", "situee", "base", "basee"}
)  # fmt: skip
# Words that may stand between a context word and the name ("dans LE Nord", "pres DE Lyon").
CONTEXT_FILLERS: frozenset[str] = frozenset({"le", "la", "les", "l", "de", "du", "des", "d"})

# The words around a place in an answer to "where are you?": "je suis a Plaisir", "dans le 29",
# "c est a Tours". When a place is expected, a name that is an ordinary word or a bare number
# counts if the rest of the message is made of these.
ANSWER_FILLERS: frozenset[str] = frozenset(
    {"je", "j", "suis", "habite", "vis", "on", "nous", "sommes", "est", "c", "ca", "a", "au", "aux",
     "en", "dans", "le", "la", "les", "l", "sur", "vers", "pres", "de", "du", "des", "d", "cote",
     "et", "ou", "cress", "pour", "moi", "ici", "region", "departement", "dept", "ville", "commune",
     "secteur", "plutot", "svp", "s", "il", "te", "vous", "plait", "merci", "bien", "oui"}
)  # fmt: skip

# Words before a bare department number that make it one: "le 29", "dans le 29", "dept 29".
NUMBER_CONTEXT: frozenset[str] = frozenset(
    {"le", "du", "departement", "dept", "dep", "dpt", "cress", "en", "pour"}
)  # fmt: skip
# Words a little before "le" + a number that make it a day of the month, not a department: "on doit
# payer l'urssaf le 15", "avant le 29", "la subvention tombe le 13".
DATE_BEFORE_LE: frozenset[str] = frozenset(
    {"payer", "paye", "payons", "payez", "paie", "payes", "verser", "verse", "versee", "versement",
     "prelever", "preleve", "prelevement", "echeance", "date", "avant", "apres", "depuis", "jusqu",
     "ici", "tard", "tombe", "arrive", "prevu", "prevue", "rendez", "rdv", "reunion", "ag",
     "assemblee", "conseil", "aujourd", "demain", "samedi", "dimanche", "lundi", "mardi", "mercredi",
     "jeudi", "vendredi"}
)  # fmt: skip
# ... unless "le" follows a word of place: "on arrive dans le 29".
PLACE_BEFORE_LE: frozenset[str] = frozenset({"dans", "ds", "sur", "vers", "pres", "cote", "de", "du", "pour", "cress"})
# Words after a number that make it a quantity or a date, not a place: "le 29 mars", "25 salaries".
NOT_A_PLACE_AFTER_NUMBER: frozenset[str] = frozenset(
    {"janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet", "aout", "septembre", "octobre",
     "novembre", "decembre", "euros", "euro", "eur", "e", "k", "ke", "m", "keur", "mille", "000",
     "salaries", "salarie", "personnes", "benevoles", "membres", "adherents", "ans", "an", "mois",
     "jours", "jour", "h", "heures", "heure", "min", "minutes", "pourcent", "pour", "pourcents", "au",
     "a", "et", "ou", "x", "fois", "m2", "km", "places", "emplois", "etp", "postes", "habitants", "de", "des", "d"}
)  # fmt: skip
# Words before a 5-digit number that make it an amount, not a postal code: "un pret de 15000".
NOT_A_POSTCODE_BEFORE: frozenset[str] = frozenset(
    {"de", "d", "environ", "pret", "budget", "montant", "somme", "cout", "total", "capital", "ca",
     "chiffre", "plus", "moins", "max", "maximum", "minimum", "jusqu", "entre"}
)  # fmt: skip

# Words never taken as a misspelt place: common words of messages to an ESS assistant, which
# sit one or two letters away from some town ("creer" / "Crees", "aide" / "Aigle").
NEVER_FUZZY: frozenset[str] = frozenset(
    """
    aide aides aider creer creation creee association associations entreprise entreprises projet
    projets financement financer subvention subventions cooperative cooperatives statut statuts
    salarie salaries benevole benevoles emploi emplois insertion accompagnement accompagner
    reseau reseaux chambre regionale regional regionales economie sociale solidaire solidaires
    contact contacts contacter adresse telephone numero email courriel site internet structure
    structures besoin besoins cherche chercher trouver trouve savoir bonjour bonsoir merci salut
    quelle quelles quel quels comment pourquoi quand combien question questions reponse
    lancer monter developper changer changement reprise reprendre difficulte difficultes
    formation formations conseil conseils locaux local foncier territoire territoires
    collectivite collectivites commune communes mairie maire ville region departement
    plombier boulangerie restaurant epicerie ressourcerie recyclerie garage magasin
    voudrais aimerais pouvez peux veux vouloir faire avoir etre suis sommes sont avons
    demain hier aujourd semaine prochaine prochain dernier derniere annee
    france francais francaise national nationale europe europeen cress chambres ess
    """.split()
)
