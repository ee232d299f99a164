"""Pack files shipped by this plugin package, registered through the jixiao.packs entry point."""
