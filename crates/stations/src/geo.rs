//! The geometry of a station search: a point, the great-circle (haversine) distance between two, and
//! the bounding boxes that hold every point within a radius — what the community query filters on
//! (a GiST index over `point(longitude, latitude)`) before it measures.

/// The mean Earth radius (IUGG), metres.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// A box no coordinate lies in (an index scan of it finds nothing at once).
pub const NO_BOX: [f64; 4] = [400.0, 400.0, 400.0, 400.0];

/// A point on the map, degrees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub latitude: f64,
    pub longitude: f64,
}

impl Point {
    /// Haversine distance in metres.
    pub fn distance_to(self, other: Point) -> f64 {
        let (p1, p2) = (self.latitude.to_radians(), other.latitude.to_radians());
        let dp = p2 - p1;
        let dl = (other.longitude - self.longitude).to_radians();
        let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
        2.0 * EARTH_RADIUS_M * a.sqrt().min(1.0).asin()
    }

    /// The boxes `(lon_min, lat_min, lon_max, lat_max)` that hold every point within `radius`
    /// metres: one box, or two where the circle crosses the antimeridian (the second is then
    /// [`NO_BOX`], which holds no point, when not needed). A circle that reaches a pole takes every
    /// longitude.
    pub fn bounding_boxes(self, radius: f64) -> [[f64; 4]; 2] {
        let dlat = (radius / EARTH_RADIUS_M).to_degrees();
        let lat_min = (self.latitude - dlat).max(-90.0);
        let lat_max = (self.latitude + dlat).min(90.0);
        let widest = self.latitude.abs() + dlat;
        if widest >= 90.0 {
            return [[-180.0, lat_min, 180.0, lat_max], NO_BOX];
        }
        // The widest longitude span is at the latitude farthest from the equator.
        let dlon = (radius / (EARTH_RADIUS_M * widest.to_radians().cos()))
            .to_degrees()
            .min(180.0);
        let (west, east) = (self.longitude - dlon, self.longitude + dlon);
        if west < -180.0 {
            [
                [-180.0, lat_min, east, lat_max],
                [west + 360.0, lat_min, 180.0, lat_max],
            ]
        } else if east > 180.0 {
            [
                [west, lat_min, 180.0, lat_max],
                [-180.0, lat_min, east - 360.0, lat_max],
            ]
        } else {
            [[west, lat_min, east, lat_max], NO_BOX]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_match_known_ones() {
        // Berlin Hauptbahnhof → Brandenburger Tor: about 1.17 km.
        let a = Point {
            latitude: 52.5251,
            longitude: 13.3694,
        };
        let b = Point {
            latitude: 52.5163,
            longitude: 13.3777,
        };
        let d = a.distance_to(b);
        assert!((1_100.0..1_200.0).contains(&d), "{d}");
        assert!(a.distance_to(a).abs() < 1e-9);
        // A quarter of the equator.
        let q = Point {
            latitude: 0.0,
            longitude: 0.0,
        }
        .distance_to(Point {
            latitude: 0.0,
            longitude: 90.0,
        });
        assert!((q - EARTH_RADIUS_M * std::f64::consts::FRAC_PI_2).abs() < 1e-6);
    }

    #[test]
    fn a_bounding_box_holds_the_whole_circle() {
        for (lat, lon) in [(52.5, 13.4), (-33.9, 151.2), (64.1, -21.9), (0.0, 179.99)] {
            let c = Point {
                latitude: lat,
                longitude: lon,
            };
            let boxes = c.bounding_boxes(5_000.0);
            for step in 0..360 {
                let bearing = f64::from(step).to_radians();
                // A point 4,999 m away on this bearing (flat approximation is fine at 5 km).
                let dlat = (4_999.0 * bearing.cos() / EARTH_RADIUS_M).to_degrees();
                let dlon = (4_999.0 * bearing.sin()
                    / (EARTH_RADIUS_M * (lat + dlat).to_radians().cos()))
                .to_degrees();
                let mut p_lon = lon + dlon;
                if p_lon > 180.0 {
                    p_lon -= 360.0;
                }
                let (p_lat, p_lon) = (lat + dlat, p_lon);
                let inside = boxes
                    .iter()
                    .any(|b| (b[0]..=b[2]).contains(&p_lon) && (b[1]..=b[3]).contains(&p_lat));
                assert!(inside, "({p_lat}, {p_lon}) escapes {boxes:?}");
            }
        }
        let pole = Point {
            latitude: 89.99,
            longitude: 0.0,
        }
        .bounding_boxes(5_000.0);
        assert_eq!((pole[0][0], pole[0][2]), (-180.0, 180.0));
    }
}
