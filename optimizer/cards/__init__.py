"""Route cards for volunteers, the sorter's load list, and SVG maps of the compound."""
