"""The questionnaire survey: XLSForm definitions, anonymous collection, durable storage, imports, exports.

Define a form (:mod:`.xlsform`, the built-in default in :mod:`.default`), store it and its answers
(:mod:`.storage`), collect answers on the web (:mod:`.web`) and summarise them with disclosure control
(:mod:`.results`, over the pure functions of :mod:`diaspora_observatory.analysis.likert`).
"""
