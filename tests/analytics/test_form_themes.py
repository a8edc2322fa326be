"""Keyword themes of form answers: inflections in Polish and Czech are matched."""

from __future__ import annotations

from buyermap.analytics.journeys.themes import Answer, Rule, fold, keyword_matches, run_themes


def test_folding_drops_diacritics_of_six_languages() -> None:
    assert fold("Żółć Þórdís Ősz Čeněk Ăștept Äiti") == "zolc thordis osz cenek astept aiti"


def test_polish_and_czech_inflections_match_their_keyword() -> None:
    assert all(keyword_matches("cena", w) for w in ("ceny", "cene", "cenie", "cenami"))
    assert all(keyword_matches("drahý", w) for w in ("drahe", "drahou", "draha"))
    assert keyword_matches("wdrożenie", "wdrozenia")
    assert not keyword_matches("cena", "koszt")
    assert keyword_matches("ár", "arak")
    assert not keyword_matches("ár", "arvizturo")


def test_answers_are_filed_under_the_rule_with_most_hits() -> None:
    rules = [Rule("objection", "price", ("cena", "drahý")), Rule("stage", "validation", ("test*",))]
    answers = [
        Answer(1, "Ceny są za wysokie"),
        Answer(2, "Je to příliš drahé"),
        Answer(3, "Chcieliśmy najpierw testować"),
        Answer(4, "Nic"),
    ]
    result = run_themes(answers, rules)
    price, validation = result.themes
    assert (price.suggested and price.suggested.key, price.answer_ids) == ("price", [1, 2])
    assert validation.answer_ids == [3]
    assert result.unthemed == 1


def test_clusters_leave_out_stop_words_and_find_the_groups_there_are() -> None:
    groups = {
        "wdrozenie": [
            "Wdrożenie trwało bardzo długo",
            "Wdrożenie było bardzo długie",
            "Długie wdrożenie, bardzo nas to bolało",
            "Wdrożenie trwało długo, ale było warto",
        ],
        "support": [
            "The support team answered quickly",
            "Their support answered within an hour",
            "Support was quick and kind",
            "The support people answered every question",
        ],
        "smlouva": [
            "Smlouva byla příliš dlouhá a složitá",
            "Smlouvu jsme četli týden, byla složitá",
            "Složitá smlouva a mnoho příloh",
            "Ta smlouva byla opravdu složitá",
        ],
    }
    answers = [Answer(i, text) for i, text in enumerate([t for g in groups.values() for t in g], 1)]
    answers.append(Answer(99, "Xylofon"))  # shares no root with any other answer
    result = run_themes(answers, [])
    found = {frozenset(t.answer_ids) for t in result.themes}
    assert found == {frozenset(range(1, 5)), frozenset(range(5, 9)), frozenset(range(9, 13))}
    shown = {w for t in result.themes for w in t.words}
    assert not shown & {"bardzo", "byla", "bylo", "their", "within", "every", "jsme"}
    assert result.unthemed == 1
