"""Review in the window (issue 13 item 3): the reader's review bar, blur and reveal, claims.

Shared modules (not a view): the reader and the annotation panel use them.
`reveal.RevealState` remembers, for this session only, what the person chose
to see of sensitive articles and passages; `bar.ReviewBar` sets an article's
status, assignee, verification and sensitive flag; `claims` holds the
"Verify claim…" form and the claim actions of the annotation context menus.
Every write goes through the window's `Writer`.
"""
