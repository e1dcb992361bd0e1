#!/usr/bin/python3
"""Render an eventmap QGIS project (eventmap.qgs) to PNG with headless QGIS.

    QT_QPA_PLATFORM=offscreen /usr/bin/python3 scripts/qgis_render.py \
        OUT/eventmap.qgs map.png [--width 1600] [--date YYYY-MM-DD] \
        [--show LAYER ...] [--hide LAYER ...]

Needs PyQGIS (Debian: python3-qgis) and Debian's own python3, which has it.
The map is drawn as the project opens in QGIS desktop: its ticked layers, its
styles, its CRS, its default view and canvas colour, with the project's title and
a legend. --date draws the temporal controller's frame for that day (the
timeline layer shows the periods that cover it); --show and --hide tick or untick
layers by name (e.g. --show timeline --hide provinces to see the timeline).

Prints what it loaded (one line per layer: validity, features, renderer,
temporal settings) and exits 1 if the project or a layer cannot be read, or the
image cannot be written. See docs/qgis.md.
"""
import argparse
import os
import sys
import time

from qgis.core import (
    QgsApplication, QgsProject, QgsPrintLayout, QgsLayoutItemMap,
    QgsLayoutItemLabel, QgsLayoutItemLegend, QgsLayoutPoint, QgsLayoutSize,
    QgsLayoutExporter, QgsUnitTypes, QgsDateTimeRange, QgsRectangle,
    QgsLegendStyle, QgsLayoutItem,
)
from osgeo import gdal
from qgis.PyQt.QtCore import QDate, QDateTime, QTime
from qgis.PyQt.QtGui import QColor, QFont


def day_range(text):
    """The temporal controller's frame for a day: [day, next day)."""
    day = QDate.fromString(text, "yyyy-MM-dd")
    if not day.isValid():
        raise SystemExit(f"--date {text!r}: expected YYYY-MM-DD")
    start = QDateTime(day, QTime(0, 0))
    return QgsDateTimeRange(start, start.addDays(1), True, False)


def describe(layer):
    temporal = layer.temporalProperties()
    renderer = layer.renderer()
    parts = [
        f"layer {layer.name()}",
        f"valid={layer.isValid()}",
        f"features={layer.featureCount()}",
        f"renderer={renderer.type() if renderer else None}",
    ]
    if renderer and renderer.type() == "categorizedSymbol":
        cats = ",".join(f"{c.value()}={c.symbol().color().name()}" for c in renderer.categories())
        parts.append(f"by {renderer.classAttribute()}: {cats}")
    if layer.labelsEnabled():
        parts.append("labelled")
    if temporal.isActive():
        parts.append(f"temporal {temporal.startField()}..{temporal.endField()} mode={int(temporal.mode())}")
    return " ".join(parts)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("project")
    ap.add_argument("out_png")
    ap.add_argument("--width", type=int, default=1600, help="image width in pixels")
    ap.add_argument("--date", help="temporal controller frame: this day")
    ap.add_argument("--show", action="append", default=[], help="tick this layer")
    ap.add_argument("--hide", action="append", default=[], help="untick this layer")
    args = ap.parse_args()

    started = time.monotonic()
    QgsApplication.setPrefixPath("/usr", True)
    app = QgsApplication([], False)
    app.initQgis()
    try:
        project = QgsProject.instance()
        if not project.read(os.path.abspath(args.project)):
            raise SystemExit(f"cannot read {args.project}: {project.error()}")
        crs = project.crs()
        print(f"project {project.title()!r} crs={crs.description()!r} valid={crs.isValid()}")
        time_range = project.timeSettings().temporalRange()
        if time_range.begin().isValid():
            print(f"time range {time_range.begin().toString('yyyy-MM-dd')}"
                  f"..{time_range.end().toString('yyyy-MM-dd')}")
        root = project.layerTreeRoot()
        bad = []
        for node in root.findLayers():
            layer = node.layer()
            if layer is None or not layer.isValid():
                bad.append(node.name())
                continue
            if layer.name() in args.show:
                node.setItemVisibilityCheckedParentRecursive(True)
            if layer.name() in args.hide:
                node.setItemVisibilityChecked(False)
            print(describe(layer), "shown" if node.isVisible() else "hidden")
        if bad:
            raise SystemExit(f"layers that cannot be read: {', '.join(bad)}")
        layers = root.checkedLayers()

        extent = QgsRectangle(project.viewSettings().defaultViewExtent())
        if extent.isEmpty():
            extent = QgsRectangle()
            for layer in layers:
                extent.combineExtentWith(layer.extent())

        # A landscape page with the map filling it, a title and a legend on top.
        page_w = 280.0
        page_h = page_w * extent.height() / extent.width()
        layout = QgsPrintLayout(project)
        layout.initializeDefaults()
        layout.pageCollection().page(0).setPageSize(QgsLayoutSize(page_w, page_h))
        item = QgsLayoutItemMap(layout)
        item.attemptMove(QgsLayoutPoint(0, 0, QgsUnitTypes.LayoutMillimeters))
        item.attemptResize(QgsLayoutSize(page_w, page_h, QgsUnitTypes.LayoutMillimeters))
        item.setCrs(crs)
        item.setLayers(layers)
        item.setKeepLayerSet(True)
        item.setExtent(extent)
        item.setBackgroundColor(project.backgroundColor())
        if args.date:
            item.setIsTemporal(True)
            item.setTemporalRange(day_range(args.date))
        layout.addLayoutItem(item)

        title = QgsLayoutItemLabel(layout)
        title.setText(project.title() + (f" (timeline on {args.date})" if args.date else ""))
        title.setFont(QFont("DejaVu Sans", 14))
        title.setFontColor(QColor(30, 30, 30))
        title.attemptMove(QgsLayoutPoint(6, 4, QgsUnitTypes.LayoutMillimeters))
        title.attemptResize(QgsLayoutSize(page_w - 12, 10, QgsUnitTypes.LayoutMillimeters))
        layout.addLayoutItem(title)

        legend = QgsLayoutItemLegend(layout)
        legend.setLinkedMap(item)
        legend.setLegendFilterByMapEnabled(True)
        legend.setTitle("")
        legend.setBackgroundColor(QColor(255, 255, 255, 220))
        legend.setBackgroundEnabled(True)
        for style in (QgsLegendStyle.Subgroup, QgsLegendStyle.SymbolLabel):
            legend.rstyle(style).setFont(QFont("DejaVu Sans", 8))
        # Bottom right: Pakistan's side of the view, where the map has least to show.
        legend.setReferencePoint(QgsLayoutItem.LowerRight)
        legend.attemptMove(QgsLayoutPoint(page_w - 4, page_h - 4, QgsUnitTypes.LayoutMillimeters))
        layout.addLayoutItem(legend)

        exporter = QgsLayoutExporter(layout)
        settings = QgsLayoutExporter.ImageExportSettings()
        settings.dpi = args.width / (page_w / 25.4)
        settings.exportMetadata = False
        # QGIS then georeferences the image through GDAL, whose PNG driver cannot
        # update a file: it prints "ERROR 6" and the image is fine. Quiet that.
        gdal.PushErrorHandler("CPLQuietErrorHandler")
        result = exporter.exportToImage(args.out_png, settings)
        if result != QgsLayoutExporter.Success:
            raise SystemExit(f"rendering failed: {exporter.errorMessage()}")
        print(f"wrote {args.out_png} in {time.monotonic() - started:.2f} s")
    finally:
        app.exitQgis()


if __name__ == "__main__":
    sys.exit(main())
