enum PlaceholderStrata {}
