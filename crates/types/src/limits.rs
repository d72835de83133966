//! Every limit the API enforces on a field, in one place: the capsules' parsers check against these,
//! the OpenAPI document states them (`constraints`, server only), and the SPA can size its inputs
//! with them. Lengths count characters after trimming; `*_BELOW` bounds are exclusive, `*_MAX`
//! bounds inclusive.

// --- Text --------------------------------------------------------------------------------------

/// Short names: make, model, nickname, colour.
pub const NAME_MAX: usize = 50;
/// Longer one-liners: trim level, engine, transmission, drive type, location and shop names.
pub const TEXT_MAX: usize = 100;
/// Notes on a vehicle, a maintenance record or a document.
pub const NOTES_MAX: usize = 5000;
/// Notes on a fill-up.
pub const FUEL_NOTES_MAX: usize = 2000;
pub const LICENSE_PLATE_MAX: usize = 20;
pub const FUEL_GRADE_MAX: usize = 20;
/// A station reference (a Google place id or a community station id).
pub const STATION_ID_MAX: usize = 200;
pub const DOCUMENT_TITLE_MAX: usize = 200;
pub const DISPLAY_NAME_MAX: usize = 100;

// --- Vehicles ----------------------------------------------------------------------------------

pub const FIRST_YEAR: i32 = 1900;
/// No vehicle reaches this; anything above is a typo. Vehicles, maintenance records and schedules.
pub const ODOMETER_MAX: i64 = 100_000_000;
pub const PURCHASE_PRICE_BELOW: i64 = 10_000_000_000;

// --- Fill-ups (in the user's unit system) -------------------------------------------------------

pub const FUEL_ODOMETER_BELOW: i64 = 10_000_000;
pub const TRIP_DISTANCE_BELOW: i64 = 100_000;
pub const FUEL_UNITS_BELOW: i64 = 10_000;
pub const COST_PER_UNIT_BELOW: i64 = 10_000;
pub const FUEL_TOTAL_BELOW: i64 = 1_000_000;
/// Decimal places: quantities to the millilitre-ish, unit prices to a tenth of a cent.
pub const FUEL_UNITS_DP: u32 = 3;
pub const COST_PER_UNIT_DP: u32 = 4;
/// Money everywhere else: whole cents.
pub const MONEY_DP: u32 = 2;
/// Distances: hundredths.
pub const DISTANCE_DP: u32 = 2;

// --- Maintenance -------------------------------------------------------------------------------

pub const MAINTENANCE_COST_BELOW: i64 = 10_000_000;
/// Documents one record may link.
pub const RECORD_DOCUMENTS_MAX: usize = 20;
pub const INTERVAL_MONTHS_MAX: i32 = 240;
pub const INTERVAL_DISTANCE_MAX: i64 = 1_000_000;
/// At most this many reminders per schedule, each at most `REMINDER_DAYS_MAX` days ahead.
pub const REMINDERS_MAX: usize = 10;
pub const REMINDER_DAYS_MAX: i32 = 365;
/// A schedule sent without `reminderDaysBefore` reminds this many days ahead.
pub const DEFAULT_REMINDER_DAYS: i32 = 30;

// --- Documents ---------------------------------------------------------------------------------

/// `GET /api/documents?expiringWithinDays=` at most ten years ahead.
pub const EXPIRING_WITHIN_DAYS_MAX: u16 = 3650;

// --- Accounts ----------------------------------------------------------------------------------

pub const PASSWORD_MIN: usize = 10;
pub const PASSWORD_MAX: usize = 1024;
/// RFC 5321's limits on an address and its local part, in bytes.
pub const EMAIL_MAX_BYTES: usize = 254;
pub const EMAIL_LOCAL_MAX_BYTES: usize = 64;

// --- Lists -------------------------------------------------------------------------------------

pub const PAGE_DEFAULT_LIMIT: i64 = 100;
pub const PAGE_MAX_LIMIT: i64 = 500;

// --- Stations ----------------------------------------------------------------------------------

/// Search radius in metres (`radius` of `/api/stations/search`): above 0, at most this.
pub const STATION_RADIUS_MAX: u32 = 50_000;
pub const STATION_RADIUS_DEFAULT: u32 = 5_000;
/// A station search's free text (`query`).
pub const STATION_QUERY_MAX: usize = 200;
/// A station's name and brand.
pub const STATION_NAME_MAX: usize = 200;
pub const STATION_ADDRESS_MAX: usize = 500;
/// Fuel types one community station may list.
pub const STATION_FUEL_TYPES_MAX: usize = 16;
/// `stations.price_ceiling`'s default: a reported price is below it (the OpenAPI document states
/// this default; an instance may configure another).
pub const STATION_PRICE_CEILING_DEFAULT: u32 = 100;
/// Decimal places of a reported pump price (tenths of a cent, as pumps show them).
pub const STATION_PRICE_DP: u32 = 3;

// --- Admin -------------------------------------------------------------------------------------

/// A user id as admin routes take it (a token's `sub`).
pub const ADMIN_USER_ID_MAX: usize = 255;
/// The user list's search text (`query`; the same limit as a station search's).
pub const ADMIN_QUERY_MAX: usize = STATION_QUERY_MAX;
/// An audit log filter (`action`, `actor`, `targetType`, `since`, `until`).
pub const AUDIT_FILTER_MAX: usize = 255;
/// A catalog entry's name (make, model, trim, engine, transmission).
pub const CATALOG_NAME_MAX: usize = 100;
/// A catalog CSV import, in bytes.
pub const CATALOG_IMPORT_MAX_BYTES: usize = 8 * 1024 * 1024;
/// The reason given with a station review (the reporter sees it).
pub const STATION_REVIEW_REASON_MAX: usize = 500;
