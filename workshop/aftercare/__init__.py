"""After-sales care (售后): the complaint register, remedies with graded authority, the
handling agreement, follow-up calls and the contact log.

Plain domain modules (``complaints``, ``remedies``, ``agreements``, ``followups``,
``contacts``, ``notices``, ``schedule``) hold the rules of CONTRACT.md "After-sales
care (v2)"; ``api``, ``views``, ``forms`` and ``cli`` are the faces that call them
and commit.
"""
