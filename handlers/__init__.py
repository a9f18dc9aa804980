"""The domain: one module per resident intent, routing, the case lifecycle and escalation rules.

Nothing here imports Flask, wechatpy or `bot`.
"""
