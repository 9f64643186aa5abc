# Fuzz targets, one per parser. Each module's owner adds its own lines here.
