//! Drawing speed of the publication maps at print width (2400 px): layout alone,
//! SVG, PNG through resvg, and the alternative anti-aliasing (plotters' bitmap
//! backend supersampled 2× and 3×, averaged down) it was measured against.
//!
//! `cargo bench --bench render`; one core: `taskset -c 0 cargo bench --bench render`.

use criterion::{criterion_group, criterion_main, Criterion};
use eventmap::gazetteer::Gazetteer;
use eventmap::ledger::Status;
use eventmap::render::map::{
    control_png, control_scene, control_svg, displacement_png, displacement_svg, raster, scene_png, CountUnit, Flow,
    Item, MapData, MapOptions,
};
use std::collections::BTreeMap;
use std::hint::black_box;

/// The state on 10 August 2021, as in the integration tests.
fn day(g: &Gazetteer) -> MapData<'_> {
    let mut provinces: BTreeMap<String, Status> =
        g.provinces.iter().map(|p| (p.iso_code.clone(), Status::Government)).collect();
    for code in ["AF-NIM", "AF-JOW", "AF-SAR", "AF-KDZ", "AF-TAK", "AF-SAM", "AF-FRA", "AF-BGL"] {
        provinces.insert(code.to_owned(), Status::Taliban);
    }
    for code in ["AF-KAN", "AF-HEL", "AF-HER"] {
        provinces.insert(code.to_owned(), Status::Contested);
    }
    provinces.insert("AF-PAN".to_owned(), Status::Resistance);
    let places = g.provinces.iter().map(|p| (p.capital, provinces[&p.iso_code])).collect();
    let id = |s: &str| g.by_id(s).expect("in the gazetteer");
    let flow =
        |origin, destination, people, count, unit, vague| Flow { origin, destination, people, count, unit, vague };
    let kabul = Some(id("gn:1138958"));
    let flows = vec![
        flow(Some(id("gn:1135689")), kabul, 119_000, 17_000, CountUnit::Families, false),
        flow(Some(id("gn:1125444")), kabul, 1_400, 200, CountUnit::Families, true),
        flow(Some(id("gn:1123906")), Some(id("gn:1181611")), 8_000, 8_000, CountUnit::People, false),
        flow(None, kabul, 12_000, 12_000, CountUnit::People, false),
        flow(kabul, Some(id("gn:290030")), 6_000, 6_000, CountUnit::People, false),
        flow(Some(id("gn:1134720")), None, 8_400, 1_200, CountUnit::Families, false),
    ];
    MapData {
        gazetteer: g,
        date: chrono::NaiveDate::from_ymd_opt(2021, 8, 10).expect("a date"),
        provinces,
        places,
        flows,
        reports: 163,
    }
}

fn maps(c: &mut Criterion) {
    let g = Gazetteer::bundled();
    let data = day(&g);
    let options = MapOptions::default();
    let mut group = c.benchmark_group("map_2400px");
    group.sample_size(20);
    group.bench_function("control_layout", |b| b.iter(|| black_box(control_scene(&data, &options))));
    group.bench_function("control_svg", |b| b.iter(|| black_box(control_svg(&data, &options))));
    group.bench_function("control_png", |b| b.iter(|| black_box(control_png(&data, &options))));
    group.bench_function("displacement_svg", |b| b.iter(|| black_box(displacement_svg(&data, &options))));
    group.bench_function("displacement_png", |b| b.iter(|| black_box(displacement_png(&data, &options))));
    let scene = control_scene(&data, &options);
    group.bench_function("control_png_supersampled_2x", |b| {
        b.iter(|| black_box(raster::to_png_supersampled(&scene, 1.0, 2)))
    });
    group.bench_function("control_png_supersampled_3x", |b| {
        b.iter(|| black_box(raster::to_png_supersampled(&scene, 1.0, 3)))
    });
    // What QGIS is timed on (benches/qgis_provinces.py): the 34 provinces, filled,
    // white borders, nothing else, same projection and width.
    let mut bare = scene.clone();
    let colour = options.style.palette.area.government;
    let border = options.style.palette.province_border;
    bare.items = Vec::new();
    for province in &g.provinces {
        for polygon in &province.geometry.0 {
            let ring: Vec<(f64, f64)> = polygon.exterior().coords().map(|c| bare.to_px(c.x, c.y)).collect();
            bare.items.push(Item::Fill { ring: ring.clone(), colour, opacity: 1.0 });
            bare.items.push(Item::Line { points: ring, colour: border, width: 1.5, closed: true });
        }
    }
    group.bench_function("bare_provinces_png", |b| b.iter(|| black_box(scene_png(&bare, 1.0))));
    group.bench_function("whole_control_png_with_gazetteer_load", |b| {
        b.iter(|| {
            let g = Gazetteer::bundled();
            black_box(control_png(&day(&g), &options))
        })
    });
    group.finish();
    let mut group = c.benchmark_group("setup");
    group.sample_size(10);
    group.bench_function("gazetteer_bundled", |b| b.iter(|| black_box(Gazetteer::bundled())));
    group.finish();
}

criterion_group!(benches, maps);
criterion_main!(benches);
