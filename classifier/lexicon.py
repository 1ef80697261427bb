"""Word and domain lists behind the hand-made signals (all in normalised form, no accents)."""

from __future__ import annotations

import re

SHORTENERS = frozenset(
    """
    bit.ly goo.gl tinyurl.com t.co ow.ly is.gd buff.ly adf.ly bit.do cutt.ly rebrand.ly
    shorturl.at tiny.cc rb.gy t.ly s.id v.gd shorte.st bc.vc ouo.io lnkd.in soo.gd clck.ru
    qr.net x.co po.st mcaf.ee su.pr j.mp tr.im linktr.ee
    """.split()  # noqa: SIM905 - a word list reads better as text
)
UNUSUAL_TLDS = frozenset(
    """
    tk ml ga cf gq xyz top club online site win bid loan work click link party review stream
    download racing date faith science men icu buzz fun space website cam rest cyou monster sbs
    cfd bond kim country gdn trade webcam accountant cricket ru su cn
    """.split()  # noqa: SIM905 - a word list reads better as text
)
BARE_TLDS = (
    "com|net|org|info|biz|io|co|ly|gl|tk|ml|ga|cf|gq|xyz|top|club|online|site|win|bid|loan|"
    "click|link|icu|buzz|shop|store|live|fun|space|website|tech|pro|mobi|uk|ca|fr|be|ch|ru|cn|"
    "br|au|eu|tv|cc|ws|su|pl|ua|nl"
)
FREE_MAIL = frozenset(
    """
    gmail.com googlemail.com yahoo.com yahoo.fr yahoo.co.uk ymail.com hotmail.com hotmail.fr
    hotmail.co.uk outlook.com outlook.fr live.com live.fr msn.com aol.com icloud.com me.com
    mac.com gmx.com gmx.net gmx.fr gmx.de web.de mail.com mail.ru yandex.ru yandex.com
    protonmail.com proton.me orange.fr wanadoo.fr free.fr laposte.net sfr.fr neuf.fr bbox.fr
    numericable.fr aliceadsl.fr zoho.com tutanota.com qq.com 163.com 126.com rediffmail.com
    inbox.ru rambler.ru libero.it skynet.be bluewin.ch videotron.ca
    """.split()  # noqa: SIM905 - a word list reads better as text
)
DISPOSABLE_MAIL = frozenset(
    """
    mailinator.com guerrillamail.com guerrillamail.net sharklasers.com grr.la 10minutemail.com
    10minutemail.net temp-mail.org tempmail.com tempmail.net tempmailo.com yopmail.com
    yopmail.fr yopmail.net trashmail.com trashmail.de getnada.com nada.email dispostable.com
    maildrop.cc throwawaymail.com mailnesia.com mintemail.com fakeinbox.com spamgourmet.com
    emailondeck.com mohmal.com tempr.email discard.email jetable.org mail-temporaire.fr
    moakt.com burnermail.io spam4.me getairmail.com
    """.split()  # noqa: SIM905 - a word list reads better as text
)
# Money, prizes and hard-sell words, English and French. Single words or short phrases.
PROMO_TERMS = (
    "free|win|winner|won|prize|cash|money|earn|earning|income|offer|discount|deal|cheap|"
    "bonus|reward|claim|urgent|guaranteed|loan|loans|credit|casino|bet|betting|lottery|"
    "viagra|cialis|pharmacy|pills|crypto|bitcoin|btc|forex|invest|investment|profit|"
    "rich|million|dollars|weight loss|diet|dating|singles|sexy|porn|xxx|escort|replica|"
    "seo|backlinks|followers|giveaway|gift card|voucher|promo|coupon|sale|buy|order now|"
    "gratuit|gratuite|gagner|gagnez|gagne|cadeau|argent|remise|reduction|pret|credit|"
    "offre|promotion|soldes|rencontre|rencontres|bitcoins|revenu|revenus|rapidement"
)
# Requests that serve the writer, not the discussion: clicks, contacts, follows, likes.
CALL_TO_ACTION = (
    "check out|check it out|check this out|check my|check me out|click here|click the link|"
    "click on|visit my|visit our|visit us|go to my|sign up|register now|download now|call now|"
    "call us|contact me|contact us|text me|whatsapp|telegram|dm me|message me|inbox me|"
    "subscribe|subscribed|suscribe|subcribe|subscribers|subscriber|sub to|sub me|sub my|"
    "sub4sub|sub 4 sub|follow me|follow 4 follow|f4f|l4l|like 4 like|like this comment|"
    "thumbs up if|give it a like|like if|please like|like my|like and subscribe|watch my|"
    "help me get|help me reach|abonnez|abonne toi|abonnez vous|abonnes|cliquez|clique ici|"
    "visitez|rendez vous sur|contactez|appelez|ecrivez moi|suivez moi|rejoignez|inscrivez"
)
SELF_PROMO = (
    "my channel|my chanel|my chanell|my video|my videos|my new video|my page|my website|my site|"
    "my blog|my music|my song|my new song|my track|my rap|my cover|my profile|my instagram|"
    "our channel|our video|our new song|new youtuber|small youtuber|youtuber|ma chaine|ma video|"
    "mon site|mon blog|ma page|mon profil|notre chaine|notre site|mes videos|mon clip|ma musique"
)
NAME_SPAM_TERMS = PROMO_TERMS + "|seo|marketing|agency|services|shop|store|official|best|online"
STOP_EN = frozenset(
    """
    the and is are to of in you this that it for with my your not but was have be what so just
    they he she we
    """.split()  # noqa: SIM905 - a word list reads better as text
)
STOP_FR = frozenset(
    """
    le la les de des du et est un une pas pour que qui dans sur avec je vous il ce cette mais ou
    tres plus nous au aux son sa ses on ne
    """.split()  # noqa: SIM905 - a word list reads better as text
)
BOT_AGENTS = re.compile(
    r"python-requests|python-urllib|aiohttp|httpx|curl/|wget|go-http-client|okhttp|java/|"
    r"libwww|scrapy|headless|phantomjs|selenium|\bbot\b|crawler|spider",
    re.I,
)


def terms_re(alternatives: str) -> re.Pattern[str]:
    """Compile a whole-word, case-insensitive pattern for `a|b|c` alternatives."""
    return re.compile(r"(?<!\w)(?:" + alternatives.replace(" ", r"[\s-]+") + r")(?!\w)")


# ISO 3166-1 alpha-2 codes: a pair of regional indicator letters with one of them shows a flag.
FLAG_CODES = frozenset(
    """
    ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bl bm bn bo bq br
    bs bt bv bw by bz ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm do dz
    ec ee eg eh er es et fi fj fk fm fo fr ga gb gd ge gf gg gh gi gl gm gn gp gq gr gs gt gu gw
    gy hk hm hn hr ht hu id ie il im in io iq ir is it je jm jo jp ke kg kh ki km kn kp kr kw ky
    kz la lb lc li lk lr ls lt lu lv ly ma mc md me mf mg mh mk ml mm mn mo mp mq mr ms mt mu mv
    mw mx my mz na nc ne nf ng ni nl no np nr nu nz om pa pe pf pg ph pk pl pm pn pr ps pt pw py
    qa re ro rs ru rw sa sb sc sd se sg sh si sj sk sl sm sn so sr ss st sv sx sy sz tc td tf tg
    th tj tk tl tm tn to tr tt tv tw tz ua ug um us uy uz va vc ve vg vi vn vu wf ws ye yt za zm
    zw eu un
    """.split()  # noqa: SIM905 - a word list reads better as text
)
