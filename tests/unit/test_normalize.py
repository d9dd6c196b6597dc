import pytest

from bot.nlu.normalize import normalize


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("C'est koi le DLA ??", "c est quoi le dla"),
        ("Qu’est-ce qu’une SCIC", "qu est ce qu une scic"),
        ("c koi une cae", "c quoi une cae"),
        ("cest quoi l'ESS", "c est quoi l ess"),
        ("Économie sociale et solidaire", "economie sociale et solidaire"),
        ("cœur de ville", "coeur de ville"),
        ("aidezzz moiii stp", "aidez moi s il te plait"),
        ("pr mon asso svp", "pour mon association s il vous plait"),
        ("qd est le mois de l'ess", "quand est le mois de l ess"),
        ("cmt on fait pr les subs", "comment on fait pour les subventions"),
        ("cb ca coute", "combien ca coute"),
        ("c koi la diff", "c quoi la difference"),
        ("Saint-Étienne", "saint etienne"),
        ("CRESS pour le 2A", "cress pour le 2a"),
        ("cress 29200", "cress 29200"),
        ("<b>DLA</b>", "b dla b"),
        ("  \t\n ", ""),
        ("😀🎉", ""),
        ("dla\x00\x07 payant", "dla payant"),
    ],
)
def test_normalize_folds_what_people_type(typed, expected):
    assert normalize(typed) == expected


def test_numbers_are_kept_for_postal_codes_and_departments():
    assert normalize("Je suis au 75011, dans le 974") == "je suis au 75011 dans le 974"


def test_double_letters_of_real_words_are_kept():
    assert normalize("appel à projets collectivité") == "appel a projets collectivite"


def test_an_article_glued_to_a_word_of_the_domain_is_split_off():
    # Typed without an apostrophe on a phone: "une idée d'épicerie", "l'asso".
    assert normalize("jai une idee depicerie solidaire") == "j ai une idee d epicerie solidaire"
    assert normalize("lasso fait plus rien") == "l asso fait plus rien"
    # Ordinary words that merely start the same way are left alone.
    assert normalize("la dette de lessive") == "la dette de lessive"
