enum PlaceholderStrataRegistry {}
