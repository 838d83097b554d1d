"""Each workspace's identity merge rules, read once and kept until they change."""

from __future__ import annotations

from omnicx.identity import MergeRules, merge_rules_from_config
from omnicx.storage import Store


class MergeRulesCache:
    def __init__(self, store: Store, default_region: str) -> None:
        self.store = store
        self.default_region = default_region
        self._rules: dict[str, MergeRules] = {}

    def get(self, workspace_id: str) -> MergeRules:
        rules = self._rules.get(workspace_id)
        if rules is None:
            config = self.store.state.workspace(workspace_id).config
            rules = merge_rules_from_config(config, self.default_region)
            self._rules[workspace_id] = rules
        return rules

    def invalidate(self, workspace_id: str) -> None:
        self._rules.pop(workspace_id, None)
