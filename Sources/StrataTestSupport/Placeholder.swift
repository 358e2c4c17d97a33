enum PlaceholderStrataTestSupport {}
