"""The job page: every area (intake, bench, parts, pickup) adds its panel to it."""
