"""Stop words of the two languages kbbot speaks, dropped before indexing and querying.

Both lists are applied to every text (a question may mix Dutch and English,
and a two-word query gives no reliable language signal). Words that are a
stop word in one language but a content word in the other (``door``, ``die``,
``want``, ``men``, ``even``) are kept, so an English "door badge" question
still finds its answer.
"""

from __future__ import annotations

ENGLISH = frozenset("""
a about above after again against all am an and any are aren't as at be because been before being below
between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down during each
few for from further had hadn't has hasn't have haven't having he he'd he'll he's her here here's hers herself
him himself his how how's i i'd i'll i'm i've if in into is isn't it it's its itself let's me more most
mustn't my myself no nor not of off on once only or other ought our ours ourselves out over own same shan't
she she'd she'll she's should shouldn't so some such than that that's the their theirs them themselves then
there there's these they they'd they'll they're they've this those through to too under until up very was
wasn't we we'd we'll we're we've were weren't what what's when when's where where's which while who who's
whom why why's with won't would wouldn't you you'd you'll you're you've your yours yourself yourselves
anyone anybody someone something anything also just get got please thanks thank hi hello hey does
know want need would like can could any one
""".split())

DUTCH = frozenset("""
aan al alles als altijd andere ben bij daar dan dat de der deze dit doch doen dus een eens en er ge geen
geweest haar had heb hebben heeft hem het hier hij hoe hun iemand iets ik in is ja je kan kon kunnen maar
me meer mij mijn moet na naar niet niets nog nu of om omdat onder ons ook op over reeds te tegen toch toen
tot u uit uw van veel voor was wat we wel werd wezen wie wil worden wordt zal ze zelf zich zij zijn zo zonder
zou hoe waar welke welk wanneer waarom iemand weet weten graag hallo hoi bedankt dank alvast jullie je jij
mag moeten kunt zit zitten
""".split())

# Content words in one language that the other language's list would drop.
_KEEP = frozenset({"door", "die", "want", "men", "even", "hem", "had", "was", "wet", "ben"})

ALL = (ENGLISH | DUTCH) - (_KEEP - ENGLISH)
"""Every stop word dropped by :mod:`kbbot.search.analysis`."""
