#!/usr/bin/python3
"""QGIS reference for benches/render.rs: headless QGIS drawing the bare 34
province polygons (fill + white border, anti-aliased, in eventmap's Lambert
conformal conic) to a PNG 2400 px wide, on one thread, timed.

    taskset -c 0 env QT_QPA_PLATFORM=offscreen XDG_RUNTIME_DIR=/tmp/runtime-root \
        /usr/bin/python3 benches/qgis_provinces.py gazetteer/provinces.geojson /tmp/qgis-provinces.png

Prints JSON: start-up (QGIS init + layer load), the median of 10 renders, and
the PNG save. Debian's python3 with python3-qgis (see shared GIS notes).
"""
import json
import statistics
import sys
import time

T0 = time.perf_counter()
from qgis.core import (  # noqa: E402
    QgsApplication, QgsCoordinateReferenceSystem, QgsFillSymbol, QgsMapRendererSequentialJob,
    QgsMapSettings, QgsProject, QgsSingleSymbolRenderer, QgsVectorLayer,
)
from qgis.PyQt.QtCore import QSize  # noqa: E402
from qgis.PyQt.QtGui import QColor  # noqa: E402

LCC = "+proj=lcc +lat_0=34 +lat_1=31 +lat_2=37 +lon_0=67 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs"


def main():
    src, out = sys.argv[1], sys.argv[2]
    QgsApplication.setPrefixPath("/usr", True)
    app = QgsApplication([], False)
    app.initQgis()
    layer = QgsVectorLayer(src, "provinces", "ogr")
    assert layer.isValid() and layer.featureCount() == 34, "34 provinces"
    symbol = QgsFillSymbol.createSimple({"color": "188,212,233", "outline_color": "255,255,255", "outline_width": "0.4"})
    layer.setRenderer(QgsSingleSymbolRenderer(symbol))
    QgsProject.instance().addMapLayer(layer)
    crs = QgsCoordinateReferenceSystem()
    crs.createFromProj(LCC)
    settings = QgsMapSettings()
    settings.setLayers([layer])
    settings.setDestinationCrs(crs)
    settings.setOutputSize(QSize(2400, 1700))
    settings.setBackgroundColor(QColor(255, 255, 255))
    settings.setFlag(QgsMapSettings.Antialiasing, True)
    settings.setExtent(settings.layerExtentToOutputExtent(layer, layer.extent()))
    started = time.perf_counter() - T0
    times = []
    image = None
    for _ in range(10):
        t = time.perf_counter()
        job = QgsMapRendererSequentialJob(settings)
        job.start()
        job.waitForFinished()
        image = job.renderedImage()
        times.append(time.perf_counter() - t)
    t = time.perf_counter()
    assert image.save(out, "PNG")
    saved = time.perf_counter() - t
    print(json.dumps({"startup_s": round(started, 3), "render_median_ms": round(statistics.median(times) * 1000, 1),
                      "render_min_ms": round(min(times) * 1000, 1), "png_save_ms": round(saved * 1000, 1),
                      "size": [image.width(), image.height()]}))
    app.exitQgis()


main()
