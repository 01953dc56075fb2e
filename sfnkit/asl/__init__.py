"""Everything that knows how ASL is spelled or what it means: paths, intrinsics, rules, JSONata, data flow."""

__all__: list[str] = []
