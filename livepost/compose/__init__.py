"""Post composition: templates, hashtags, facets, grapheme counts and thread splitting."""
