use super::*;

#[test]
fn the_legend_goes_where_no_curve_ends() {
    // A loss that blows up at the end fills the upper right: the legend moves away from it.
    let blow_up = Series {
        name: "train loss",
        color: TRAIN,
        points: (1..=26)
            .map(|epoch| (epoch as f64, 10f64.powf(epoch as f64 / 8.0)))
            .collect(),
    };
    let (x, y) = (0.5..26.5, 1.0..2000.0);
    let corner = emptiest_corner(&[blow_up], &x, &y, true, SeriesLabelPosition::UpperRight);
    assert!(!matches!(corner, SeriesLabelPosition::UpperRight));
    // A falling loss leaves the upper right empty: the preferred corner stays.
    let falling = Series {
        name: "train loss",
        color: TRAIN,
        points: (1..=26)
            .map(|epoch| (epoch as f64, 1.0 / epoch as f64))
            .collect(),
    };
    let corner = emptiest_corner(
        &[falling],
        &x,
        &(0.03..1.0),
        false,
        SeriesLabelPosition::UpperRight,
    );
    assert!(matches!(corner, SeriesLabelPosition::UpperRight));
}

#[test]
fn a_log_axis_keeps_to_twelve_decades_within_bounds() {
    assert_eq!(log_axis(1e-320, 1.0), Some(1e-12..1.0));
    assert_eq!(log_axis(1e-3, 1e308), None);
    assert_eq!(log_axis(0.5, 1.0), None); // too narrow to need one
}
