"""Word-level features of normalised French text: stop words and stems."""

from __future__ import annotations

from functools import lru_cache

import snowballstemmer

# Function words that carry no topic. Question words that change the meaning of a FAQ
# ("combien", "qui", "quand") and the words of small talk ("bonjour", "merci") are kept;
# the verbs of any request ("je cherche", "je voudrais") are not.
STOP_WORDS = frozenset(
    """
    a au aux avec c ca ce ces cet cette d dans de des du elle elles en est et etre eu il ils
    j je l la le les leur leurs lui m ma mais me meme mes moi mon n ne nos notre nous on ou
    par pas pour qu que quel quelle quelles quels s sa se ses si son sont sur t ta te tes
    toi ton tu un une vos votre vous y suis es sommes etes ai as avons avez ont fait faire
    ceci cela ici voila il te alors donc aussi
    tres plus moins bien peu tout tous toute toutes autre autres cest chose choses
    cherche cherchons cherchez chercher veux voudrais voudrions aimerais aimerions peux pouvez
    savoir sais besoin
    """.split()
)

_stemmer = snowballstemmer.stemmer("french")


@lru_cache(maxsize=65536)
def stem(token: str) -> str:
    # Digits and codes (29200, 2a) are kept whole.
    if not token.isalpha():
        return token
    return _stemmer.stemWord(token)


def content_tokens(normalised: str) -> list[str]:
    """Tokens of a normalised text without stop words."""
    return [t for t in normalised.split() if t not in STOP_WORDS]


def content_stems(normalised: str) -> list[str]:
    return [stem(t) for t in content_tokens(normalised)]
