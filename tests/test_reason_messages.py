"""Reasons in the moderator's language: every code worded in French, its parameters carried over.

Stored reasons and the APIs keep the English message; moderation.reason_messages re-words it
when the page is shown. The codes are read from the source (the classifier's SIGNALS and
explanations, the rules, flood control, screening and the policy), so a new code without
French fails here.
"""

from __future__ import annotations

import ast
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask import Flask
from flask_babel import force_locale

from classifier.features import SIGNALS, comment_signals
from classifier.records import CommentInput
from moderation import flood, policy, rules, screening
from moderation.policy import Thresholds
from moderation.reason_messages import RENDERERS, reason_message
from moderation.rules import NearDuplicates, RuleContext
from moderation.settings import Mode, from_dict
from tests.hang_guard import seconds_in_a_child
from tests.mods import add_comment, add_moderator, login

ROOT = Path(__file__).resolve().parents[1]
NB = "\u00a0"  # no-break space
NNB = "\u202f"  # narrow no-break space (thousands, as CLDR writes French numbers)


def q(text: str) -> str:
    return f"«{NB}{text}{NB}»"


ARGENT = q("l'argent")


# One or more (English as stored, French as shown) per code.
EXAMPLES: dict[str, list[tuple[str, str]]] = {
    # classifier.features
    "links": [("1 link", "1 lien"), ("3 links", "3 liens"),
              ("1000000 links", f"1{NNB}000{NNB}000 de liens")],
    "link_domains": [("links to 2 domains", "liens vers 2 domaines")],
    "shortener": [("link shortener 'bit.ly/abc'", f"lien raccourci {q('bit.ly/abc')}"),
                  ("link shortener 'bit.ly/a', 'tinyurl.com/b'",
                   f"liens raccourcis {q('bit.ly/a')} et {q('tinyurl.com/b')}")],
    "unusual_tld": [("unusual domain 'promo.xyz'", f"domaine inhabituel {q('promo.xyz')}")],
    "hidden_link": [("disguised link 'example dot com'", f"lien déguisé {q('example dot com')}")],
    "link_density": [("mostly links", "surtout des liens")],
    "email_in_text": [("email address in the text", "adresse e-mail dans le texte")],
    "phone_number": [("phone number", "numéro de téléphone"),
                     ("phone number '+223 76 12 34 56'",
                      f"numéro de téléphone {q('+223 76 12 34 56')}")],
    "money": [("price or currency '5000 fcfa'", f"prix ou devise {q('5000 fcfa')}")],
    "promo_words": [("sales words 'casino', 'bonus', 'gratuit'",
                     f"mots commerciaux {q('casino')}, {q('bonus')} et {q('gratuit')}"),
                    ("sales words 'casino'", f"mot commercial {q('casino')}")],
    "call_to_action": [("call to action 'check out'", f"appel à l'action {q('check out')}")],
    "self_promotion": [("self-promotion 'my blog'", f"autopromotion {q('my blog')}")],
    "capitals": [("many capitals (85%)", f"beaucoup de majuscules (85{NB}%)")],
    "repeated_chars": [("repeated characters 'aaaa'", f"caractères répétés {q('aaaa')}")],
    "punctuation_run": [("runs of punctuation '!!!'", f"suite de ponctuation {q('!!!')}"),
                        ("runs of punctuation '!!!', '?!?!'",
                         f"suites de ponctuation {q('!!!')} et {q('?!?!')}")],
    "emoji": [("1 emoji", "1 émoji"), ("4 emojis", "4 émojis")],
    "length": [("length (1 character)", "longueur (1 caractère)"),
               ("length (1234 characters)", f"longueur (1{NNB}234 caractères)")],
    "author_name_url": [("author name is a URL", "le nom de l'auteur est une adresse web")],
    "author_name_keywords": [("author name contains 'seo', 'cheap'",
                              f"le nom de l'auteur contient {q('seo')} et {q('cheap')}")],
    "author_url": [("author gave a website", "l'auteur a indiqué un site web")],
    "free_mail": [("free-mail address (gmail.com)", "adresse de messagerie gratuite (gmail.com)")],
    "author_network": [("sender's network 203.0.113.0/24", "réseau de l'expéditeur 203.0.113.0/24"),
                       ("sender's network 2001:db8:abcd::/48",
                        "réseau de l'expéditeur 2001:db8:abcd::/48")],
    "disposable_mail": [("disposable email address (yopmail.com)",
                         "adresse e-mail jetable (yopmail.com)")],
    "email_matches_site": [("email domain matches the website",
                            "le domaine de l'adresse e-mail est celui du site web indiqué")],
    "own_site_link": [("links to this site", "liens vers ce site")],
    "script_user_agent": [("sent by a script, not a browser",
                           "envoyé par un script, pas par un navigateur")],
    "language_mismatch": [("written in English on a French site",
                           "rédigé en anglais sur un site en français"),
                          ("written in French on an English site",
                           "rédigé en français sur un site en anglais"),
                          # the wording before the article was fixed, still in stored reasons
                          ("written in French on a English site",
                           "rédigé en français sur un site en anglais")],
    # classifier.explain
    "word": [("the word 'casino'", f"le mot {q('casino')}"),
             ("the word 'l'argent'", f"le mot {ARGENT}")],
    "link_text": [("the link 'promo.example'", f"le lien {q('promo.example')}")],
    "phrase": [("the phrase 'this comment'", f"l'expression {q('this comment')}")],
    # moderation.policy
    "classifier_unavailable": [("the spam classifier is unavailable; a person must review",
                                f"le classifieur de spam est indisponible{NB}; une personne doit "
                                "examiner le commentaire")],
    "score_high": [("spam probability 0.97 is at or above 0.90",
                    "probabilité de spam de 0,97, supérieure ou égale à 0,90")],
    "score_low": [("spam probability 0.03 is below 0.20",
                   "probabilité de spam de 0,03, inférieure à 0,20")],
    "score_uncertain": [("spam probability 0.50 is between 0.20 and 0.90",
                         "probabilité de spam de 0,50, comprise entre 0,20 et 0,90")],
    # moderation.rules
    "links.too_many": [("3 links (the site holds comments with 2 or more)",
                        "3 liens (le site met en attente les commentaires qui en contiennent au "
                        "moins 2)")],
    "words.disallowed": [("contains disallowed words: 'casino' in content, "
                          "\"l'argent\" in author name",
                          f"contient des mots interdits{NB}: {q('casino')} dans le texte et "
                          f"{ARGENT} dans le nom de l'auteur")],
    "words.moderated": [("contains moderated words: 'bot' in user agent",
                         f"contient des mots à modérer{NB}: {q('bot')} dans l'agent utilisateur")],
    "author.trusted": [("1 earlier approved comment by this name and email",
                        "1 commentaire déjà approuvé avec ce nom et cette adresse e-mail"),
                       ("2 earlier approved comments by this name and email",
                        "2 commentaires déjà approuvés avec ce nom et cette adresse e-mail")],
    "author.blocked": [("author on the block list: email a@b.example, IP 203.0.113.0/24",
                        f"auteur sur la liste des auteurs bloqués{NB}: e-mail a@b.example et IP "
                        "203.0.113.0/24")],
    "author.allowed": [("author on the allow list: website awa.example",
                        f"auteur sur la liste des auteurs autorisés{NB}: site web awa.example")],
    "email.disposable": [("disposable email address (mailinator.com)",
                          "adresse e-mail jetable (mailinator.com)")],
    "campaign.near_duplicate": [("seen 14 times in 24 h from 9 authors",
                                 f"publié 14 fois en 24{NB}h par 9 auteurs"),
                                ("seen 3 times in 24 h from 1 author",
                                 f"publié 3 fois en 24{NB}h par 1 auteur")],
    "form.honeypot": [("the hidden form field 'palabre_hp' was filled in",
                       f"le champ caché {q('palabre_hp')} du formulaire a été rempli")],
    "form.time_missing": [("the form time field 'palabre_rendered_at' is missing",
                           f"le champ {q('palabre_rendered_at')} (heure d'affichage du "
                           "formulaire) est absent"),
                          ("the form time field 'ts' is not a time",
                           f"le champ {q('ts')} (heure d'affichage du formulaire) ne contient "
                           "pas une heure valide")],
    "form.too_fast": [("sent 1.5 s after the form was shown (minimum 3 s)",
                       f"envoyé 1,5{NB}s après l'affichage du formulaire (minimum{NB}: 3{NB}s)")],
    "language.unexpected": [("written in 'en'; the site expects fr, wo",
                             f"rédigé en anglais{NB}; langues attendues par le site{NB}: "
                             "français et wolof"),
                            ("written in 'xx'; the site expects fr",
                             f"rédigé en {q('xx')}{NB}; langue attendue par le site{NB}: "
                             "français")],
    # moderation.screening, moderation.flood
    "duplicate.exact": [("same content by the same author on the same post as comment 12345",
                         "même contenu, même auteur et même article que le commentaire "
                         f"n°{NB}12345")],
    "flood.too_fast": [("another comment from this IP less than 15 s ago",
                        f"un autre commentaire de cette adresse IP il y a moins de 15{NB}s"),
                       ("another comment from this email less than 15 s ago",
                        f"un autre commentaire de cette adresse e-mail il y a moins de 15{NB}s")],
    "flood.site_rate": [("the site sent more than 300 per 1 second comments",
                         "le site a envoyé plus de 300 commentaires par seconde"),
                        ("the site sent more than 10 per 5 minute comments",
                         "le site a envoyé plus de 10 commentaires en 5 minutes")],
}  # fmt: skip


def _codes_in(path: Path) -> set[str]:
    """Return the reason codes a module builds: Signal/Check/_signal/_Located arguments,
    {"code": ...} entries, and `code` in tuple assignments and `for` loops over tuples."""
    found: set[str] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))

    def add(node: ast.AST) -> None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.add(node.value)

    def code_index(target: ast.AST) -> int | None:
        if isinstance(target, ast.Tuple):
            for i, elt in enumerate(target.elts):
                if isinstance(elt, ast.Name) and elt.id == "code":
                    return i
        return None

    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            at = {"Signal": 0, "Check": 0, "Reason": 0, "_Located": 0, "_signal": 1}.get(name)
            if at is not None and len(node.args) > at:
                add(node.args[at])
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and key.value == "code":
                    add(value)
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Tuple):
            i = code_index(node.targets[0])
            if i is not None:
                add(node.value.elts[i])
        elif isinstance(node, ast.For) and isinstance(node.iter, ast.Tuple):
            i = code_index(node.target)
            if i is not None:
                for row in node.iter.elts:
                    if isinstance(row, ast.Tuple):
                        add(row.elts[i])
    return found


CLASSIFIER_CODES = set(SIGNALS) | _codes_in(ROOT / "classifier/explain.py")
RULE_CODES = set().union(
    *(_codes_in(ROOT / "moderation" / f) for f in ("rules.py", "flood.py", "screening.py"))
)
POLICY_CODES = _codes_in(ROOT / "moderation/policy.py")
ALL_CODES = CLASSIFIER_CODES | RULE_CODES | POLICY_CODES


@pytest.fixture(scope="module")
def fr_app() -> Flask:
    """A bare app with Flask-Babel, enough to render in a language without a database."""
    from moderation import i18n

    app = Flask(__name__, root_path=str(ROOT / "moderation"))
    i18n.init_app(app)
    return app


def french(app: Flask, code: str, message: object) -> str:
    with app.test_request_context(), force_locale("fr"):
        return reason_message({"code": code, "message": message})


def english(app: Flask, code: str, message: object) -> str:
    with app.test_request_context(), force_locale("en"):
        return reason_message({"code": code, "message": message})


def test_the_codes_are_found_in_the_source() -> None:
    assert {"word", "link_text", "phrase"} <= CLASSIFIER_CODES
    assert {"links.too_many", "words.disallowed", "words.moderated", "author.trusted"} <= RULE_CODES
    assert {"flood.too_fast", "flood.site_rate", "duplicate.exact"} <= RULE_CODES
    policy_codes = {"classifier_unavailable", "score_high", "score_low", "score_uncertain"}
    assert policy_codes == POLICY_CODES
    assert len(RULE_CODES) >= 15


@pytest.mark.parametrize("code", sorted(ALL_CODES))
def test_every_code_has_french_and_an_example(fr_app, code) -> None:
    assert code in RENDERERS, f"no French wording for reason code {code!r}"
    assert EXAMPLES.get(code), f"add an example of {code!r} to EXAMPLES"


@pytest.mark.parametrize(
    ("code", "stored", "shown"),
    [(code, en, fr) for code, pairs in EXAMPLES.items() for en, fr in pairs],
)
def test_french_wording_carries_the_parameters(fr_app, code, stored, shown) -> None:
    assert french(fr_app, code, stored) == shown
    assert english(fr_app, code, stored) == stored  # the English pages show it as stored


def _classifier_messages() -> dict[str, str]:
    """Real messages from classifier.features, for comments built to raise every signal."""
    comments = [
        CommentInput(
            content="CHECK OUT my SITE http://bit.ly/abc www.promo.xyz http://other.example/x "
            "example dot com, call +223 76 12 34 56 or mail me at deal@spam.example: $100 "
            "casino bonus, visit my blog!!! Woooow 😀😀",
            author_name="http://seo.example cheap seo",
            author_email="deal@gmail.com",
            author_url="http://gmail.com",
            user_agent="python-requests/2.31",
            author_ip="203.0.113.7",
            permalink="https://lemali.example/post",
            language="fr",
        ),
        CommentInput(
            content="see https://lemali.example/a https://lemali.example/b",
            author_email="x@mailinator.com",
            permalink="https://lemali.example/post",
            language="fr",
        ),
        CommentInput(content="This is the best article and I think that it is true", language="fr"),
        CommentInput(content="ARRÊTEZ TOUT CELA TOUT DE SUITE", language="fr"),
    ]
    out: dict[str, str] = {}
    for c in comments:
        for code, hit in comment_signals(c).items():
            out.setdefault(code, hit.message)
    return out


def test_real_classifier_messages_are_all_translated(fr_app) -> None:
    messages = _classifier_messages()
    missing = set(SIGNALS) - set(messages)
    assert not missing, f"the test comments no longer raise {missing}"
    for code, message in messages.items():
        shown = french(fr_app, code, message)
        assert shown != message, f"{code}: {message!r} was not translated"


def _rule_messages() -> dict[str, str]:
    """Real messages from the rules, flood control, screening and the policy."""
    base = rules.CommentIn(
        content="casino http://a.example www.b.example",
        author_name="Casino King",
        author_email="x@mailinator.com",
        author_ip="203.0.113.7",
        author_url="http://bad.example/",
        user_agent="EvilBot/1.0",
    )
    settings = from_dict(
        {
            "words": {"disallowed": ["casino"], "moderated": ["evilbot", "l'argent"]},
            "author_lists": {"block_emails": ["@mailinator.com"], "block_ips": ["203.0.113.0/24"],
                             "allow_websites": ["bad.example"]},
            "honeypot": {"mode": "on"},
            "form_time": {"mode": "on"},
            "languages": ["fr", "en-GB"],
        }
    )  # fmt: skip
    out: dict[str, str] = {}
    contexts = [
        RuleContext(
            approved_before=2,
            near=NearDuplicates(13, 9),
            language="de",
            form={"palabre_hp": "x", "palabre_rendered_at": time.time()},
        ),
        RuleContext(form={"palabre_rendered_at": "soon"}),
    ]
    for ctx in contexts:
        for signal in rules.run(base, ctx, settings):
            out.setdefault(signal.code, signal.message)
    site = SimpleNamespace(id=1)
    for check in flood.checks(site, base, from_dict({"site_rate": {"limit": "10/5 minutes"}})):
        out.setdefault(check.code, check.message)
    [dup] = screening._duplicate(42, Mode.SHADOW)
    out[dup.code] = dup.message
    t = Thresholds(0.2, 0.9)
    for score in (None, 0.05, 0.5, 0.95):
        for reason in policy.decide([], score, t).reasons:
            out[reason["code"]] = reason["message"]
    return out


def test_real_rule_and_policy_messages_are_all_translated(fr_app) -> None:
    messages = _rule_messages()
    missing = (RULE_CODES | POLICY_CODES) - set(messages)
    assert not missing, f"the test no longer raises {missing}"
    for code, message in messages.items():
        shown = french(fr_app, code, message)
        assert shown != message, f"{code}: {message!r} was not translated"


def test_plurals_follow_french_rules(fr_app) -> None:
    assert french(fr_app, "links", "0 links") == "0 lien"  # in French, 0 and 1 are singular
    assert french(fr_app, "links", "1 link") == "1 lien"
    assert french(fr_app, "links", "2 links") == "2 liens"
    assert french(fr_app, "links", "12345 links") == f"12{NNB}345 liens"
    assert french(fr_app, "links", "2000000 links") == f"2{NNB}000{NNB}000 de liens"
    assert french(fr_app, "emoji", "0 emojis") == "0 émoji"
    assert french(fr_app, "hidden_link", "disguised link 'a dot com', 'b dot net'") == (
        f"liens déguisés {q('a dot com')} et {q('b dot net')}"
    )
    assert french(fr_app, "campaign.near_duplicate", "seen 2 times in 1 h from 1 author") == (
        f"publié 2 fois en 1{NB}h par 1 auteur"
    )
    assert french(fr_app, "flood.site_rate", "the site sent more than 1 per 1 hour comments") == (
        "le site a envoyé plus de 1 commentaire par heure"
    )


@pytest.mark.parametrize(
    "hostile",
    ["<b>x</b>", "{}", "{0}", "%s", "%(text)s", "%", "«", "'", "', '", "a\u202eb", "&amp;"],
)
def test_quoted_comment_text_is_carried_verbatim(fr_app, hostile) -> None:
    assert french(fr_app, "word", f"the word '{hostile}'") == f"le mot {q(hostile)}"
    assert french(fr_app, "phrase", f"the phrase '{hostile}'") == f"l'expression {q(hostile)}"
    shown = french(fr_app, "promo_words", f"sales words 'x{hostile}'")
    assert shown in (f"mot commercial {q('x' + hostile)}", f"sales words 'x{hostile}'")


@pytest.mark.parametrize(
    ("code", "stored"),
    [
        ("links", "3 linkz"),
        ("links", "three links"),
        ("links", "3 links "),
        ("link_domains", "links to many domains"),
        ("word", "the word casino"),
        ("word", "the word ''"),
        ("word", "the words 'casino'"),
        ("promo_words", "sales words 'a', 'b', 'c', 'd'"),  # at most three are quoted
        ("promo_words", "sales words casino"),
        ("capitals", "many capitals (85 %)"),
        ("score_high", "spam probability high"),
        ("words.disallowed", "contains disallowed words: casino"),
        ("words.disallowed", "contains disallowed words: 'casino' in the sky"),
        ("author.blocked", "author on the block list: phone 123"),
        ("flood.site_rate", "the site sent more than 300 per 1 fortnight comments"),
        ("language.unexpected", "written in 'de'; the site expects <b>fr</b>"),
        ("no.such_code", "anything at all"),
        ("", "no code"),
    ],
)
def test_messages_of_another_shape_stay_in_english(fr_app, code, stored) -> None:
    assert french(fr_app, code, stored) == stored


def test_odd_reasons_do_not_break(fr_app) -> None:
    with fr_app.test_request_context(), force_locale("fr"):
        assert reason_message({"code": "links"}) == ""
        assert reason_message({"code": "links", "message": None}) == ""
        assert reason_message({"code": None, "message": "3 links"}) == "3 links"
        assert reason_message({"code": "links", "message": 3}) == "3"
        assert reason_message("not a dict") == ""
        assert reason_message(None) == ""


@pytest.mark.parametrize(
    ("code", "stored"),
    [
        ("word", "the word '" + "'" * 200_000),
        ("word", "the word '" + "a" * 200_000),
        ("promo_words", "sales words '" + "', '" * 100_000),
        ("words.disallowed", "contains disallowed words: " + "'a' in content, " * 50_000),
        ("words.disallowed", "contains disallowed words: '" + "\\'" * 100_000),
        ("author.blocked", "author on the block list: " + "email a, " * 50_000),
        ("language.unexpected", "written in '" + "x" * 200_000 + "'; the site expects fr"),
        ("form.honeypot", "the hidden form field '" + "\\" * 200_000 + "' was filled in"),
        ("links", "1" * 200_000 + " links"),
    ],
)
def test_long_hostile_messages_are_read_in_linear_time(code, stored) -> None:
    """HANG GUARD, not a speed figure: 200,000 hostile characters read in linear time take
    milliseconds; a pattern that backtracked quadratically would take hours. The bound is
    generous so that a slow or busy machine never fails it. It runs in a child process
    (tests.hang_guard), so that a real hang fails the test instead of stalling the run."""
    child = "\n".join(
        [
            "import sys, time",
            "from flask import Flask",
            "from flask_babel import force_locale",
            "from moderation import i18n",
            "from moderation.reason_messages import reason_message",
            f"app = Flask('guard', root_path={str(ROOT / 'moderation')!r})",
            "i18n.init_app(app)",
            "code, stored = sys.stdin.read().split('\\0', 1)",
            "with app.test_request_context(), force_locale('fr'):",
            "    start = time.perf_counter()",
            "    reason_message({'code': code, 'message': stored})",
            "    print(time.perf_counter() - start)",
        ]
    )
    assert seconds_in_a_child(child, stdin=f"{code}\0{stored}") < 30


def test_the_comment_page_shows_reasons_in_the_moderators_language(app, client) -> None:
    add_moderator(app, "alice@example.org", sites=("lemali",))
    assert login(client, "alice@example.org").status_code == 303
    reasons = [
        {"source": "rule", "code": "links.too_many", "effect": "hold", "spans": [],
         "message": "3 links (the site holds comments with 2 or more)"},
        {"source": "classifier", "code": "score_high",
         "message": "spam probability 0.97 is at or above 0.90"},
        {"source": "classifier", "code": "word", "weight": 1.5, "spans": [],
         "message": "the word '<b>{0}%s</b>'"},
        {"source": "classifier", "code": "word", "weight": 0.5, "spans": [],
         "message": "the word 'a\u202eb'"},
        {"source": "classifier", "code": "phone_number", "weight": 0.8, "spans": [],
         "message": "phone number '77 123 45 67'"},
        {"source": "rule", "code": "future.rule", "message": "some new rule fired"},
    ]  # fmt: skip
    cid = add_comment(app, "casino <b>{0}%s</b>", reasons=reasons)
    html = client.get(f"/queue/{cid}", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "3 liens (le site met en attente les commentaires qui en contiennent au moins 2)" in html
    assert "probabilité de spam de 0,97, supérieure ou égale à 0,90" in html
    assert f"le mot «{NB}&lt;b&gt;{{0}}%s&lt;/b&gt;{NB}»" in html
    assert f"le mot «{NB}a⟨U+202E⟩b{NB}»" in html  # hidden controls still revealed
    assert f"numéro de téléphone «{NB}77 123 45 67{NB}»" in html
    assert "some new rule fired" in html  # unknown code: as stored
    assert "<b>{0}" not in html and "\u202e" not in html
    assert '<bdi class="reason-message">' in html
    assert '<span class="weight">(+1,50)</span>' in html  # weights with a decimal comma

    html = client.get(f"/queue/{cid}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "3 links (the site holds comments with 2 or more)" in html
    assert "spam probability 0.97 is at or above 0.90" in html
    assert "the word &#39;&lt;b&gt;{0}%s&lt;/b&gt;&#39;" in html
    assert "liens" not in html
    assert '<span class="weight">(+1.50)</span>' in html


def test_the_api_keeps_the_english_message(app, client) -> None:
    from moderation import accounts, db
    from moderation.models import Moderator

    mod = add_moderator(app, "alice@example.org", sites=("lemali",))
    with app.app_context(), db.transaction() as s:
        moderator = s.get(Moderator, mod)
        moderator.language = "fr"
        token = accounts.issue_token(moderator)
    stored = {"source": "classifier", "code": "links", "message": "3 links", "spans": []}
    add_comment(app, "x", reasons=[stored])
    headers = {"Authorization": f"Bearer {token}", "Accept-Language": "fr"}
    body = client.get("/api/v1/queue", headers=headers).get_json()
    assert body["items"][0]["reasons"] == [stored]
