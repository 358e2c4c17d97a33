enum PlaceholderStrataOffline {}
