//! The rules of every request body, property by property, from the constants the parsers check
//! (`mvp_types::limits` and the capsules' enum lists).

use mvp_types::limits as l;

use super::rule::{Rule, decimal, positive};

/// `(schema, property, rule)` for every request body.
pub(super) fn body_rules() -> Vec<(&'static str, &'static str, Rule)> {
    use Rule::*;
    let fuel_types = || OneOf(mvp_types::vehicle::FUEL_TYPES.to_vec());
    let mut rules = vec![
        // Notification settings (mvp-notifications api.rs) and e-mail templates (templates.rs).
        ("UpdateNotificationSettings", "dueSoonDays", Int(1, 365)),
        ("UpdateNotificationSettings", "ntfyUrl", PushUrl),
        ("UpdateNotificationSettings", "webhookUrl", PushUrl),
        ("UpdateNotificationSettings", "email", Bool),
        ("UpdateNotificationSettings", "rotateWebhookSecret", Bool),
        (
            "UpdateEmailTemplate",
            "subject",
            Chars(1, mvp_notifications::templates::BODY_MAX_BYTES),
        ),
        (
            "UpdateEmailTemplate",
            "textBody",
            Chars(1, mvp_notifications::templates::BODY_MAX_BYTES),
        ),
        (
            "UpdateEmailTemplate",
            "htmlBody",
            Chars(1, mvp_notifications::templates::BODY_MAX_BYTES),
        ),
        // Stations (mvp-stations domain.rs).
        (
            "SavedStationInput",
            "placeId",
            LineRequired(l::STATION_ID_MAX),
        ),
        (
            "SavedStationInput",
            "name",
            LineRequired(l::STATION_NAME_MAX),
        ),
        ("SavedStationInput", "address", Line(l::STATION_ADDRESS_MAX)),
        ("SavedStationInput", "latitude", Range(-90.0, 90.0)),
        ("SavedStationInput", "latitude", Required),
        ("SavedStationInput", "longitude", Range(-180.0, 180.0)),
        ("SavedStationInput", "longitude", Required),
        ("SavedStationInput", "nickname", Line(l::NAME_MAX)),
        ("SavedStationInput", "notes", Text(l::FUEL_NOTES_MAX)),
        ("SavedStationInput", "isFavorite", Bool),
        (
            "CommunityStationInput",
            "name",
            LineRequired(l::STATION_NAME_MAX),
        ),
        (
            "CommunityStationInput",
            "address",
            LineRequired(l::STATION_ADDRESS_MAX),
        ),
        ("CommunityStationInput", "latitude", Range(-90.0, 90.0)),
        ("CommunityStationInput", "latitude", Required),
        ("CommunityStationInput", "longitude", Range(-180.0, 180.0)),
        ("CommunityStationInput", "longitude", Required),
        ("CommunityStationInput", "brand", Line(l::STATION_NAME_MAX)),
        (
            "CommunityStationInput",
            "fuelTypes",
            Items(
                l::STATION_FUEL_TYPES_MAX,
                Box::new(OneOf(mvp_types::station::STATION_FUEL_TYPES.to_vec())),
            ),
        ),
        (
            "PriceReportInput",
            "fuelType",
            OneOf(mvp_types::station::STATION_FUEL_TYPES.to_vec()),
        ),
        ("PriceReportInput", "fuelType", Required),
        (
            "PriceReportInput",
            "price",
            positive(l::STATION_PRICE_CEILING_DEFAULT.into(), l::STATION_PRICE_DP),
        ),
        ("PriceReportInput", "price", Required),
        // Vehicles (mvp-vehicles domain.rs).
        ("VehicleInput", "vin", Vin),
        ("VehicleInput", "year", Int(l::FIRST_YEAR.into(), 9999)),
        ("VehicleInput", "year", Required),
        ("VehicleInput", "make", LineRequired(l::NAME_MAX)),
        ("VehicleInput", "model", LineRequired(l::NAME_MAX)),
        ("VehicleInput", "trimLevel", Text(l::TEXT_MAX)),
        ("VehicleInput", "engine", Text(l::TEXT_MAX)),
        ("VehicleInput", "transmission", Text(l::TEXT_MAX)),
        ("VehicleInput", "driveType", Text(l::TEXT_MAX)),
        ("VehicleInput", "nickname", Text(l::NAME_MAX)),
        ("VehicleInput", "color", Text(l::NAME_MAX)),
        ("VehicleInput", "licensePlate", Text(l::LICENSE_PLATE_MAX)),
        ("VehicleInput", "notes", Text(l::NOTES_MAX)),
        ("VehicleInput", "fuelType", fuel_types()),
        ("VehicleInput", "odometerReading", Int(0, l::ODOMETER_MAX)),
        (
            "VehicleInput",
            "purchasePrice",
            decimal(l::PURCHASE_PRICE_BELOW, l::MONEY_DP),
        ),
        // Fill-ups (mvp-fuel-logs domain.rs).
        ("FuelLogInput", "vehicleId", Required),
        ("FuelLogInput", "dateTime", Required),
        (
            "FuelLogInput",
            "odometerReading",
            decimal(l::FUEL_ODOMETER_BELOW, l::DISTANCE_DP),
        ),
        (
            "FuelLogInput",
            "tripDistance",
            positive(l::TRIP_DISTANCE_BELOW, l::DISTANCE_DP),
        ),
        (
            "FuelLogInput",
            "fuelUnits",
            positive(l::FUEL_UNITS_BELOW, l::FUEL_UNITS_DP),
        ),
        ("FuelLogInput", "fuelUnits", Required),
        (
            "FuelLogInput",
            "costPerUnit",
            decimal(l::COST_PER_UNIT_BELOW, l::COST_PER_UNIT_DP),
        ),
        (
            "FuelLogInput",
            "totalCost",
            decimal(l::FUEL_TOTAL_BELOW, l::MONEY_DP),
        ),
        (
            "FuelLogInput",
            "fuelType",
            OneOf(mvp_types::fuel::FILL_FUEL_TYPES.to_vec()),
        ),
        ("FuelLogInput", "fuelType", Required),
        ("FuelLogInput", "fuelGrade", Text(l::FUEL_GRADE_MAX)),
        ("FuelLogInput", "stationId", Text(l::STATION_ID_MAX)),
        ("FuelLogInput", "locationName", Text(l::TEXT_MAX)),
        ("FuelLogInput", "notes", Text(l::FUEL_NOTES_MAX)),
        // Maintenance (mvp-maintenance parse.rs).
        ("RecordInput", "vehicleId", Required),
        ("RecordInput", "category", Required),
        ("RecordInput", "subtypes", Required),
        ("RecordInput", "date", Required),
        ("RecordInput", "odometerReading", Int(0, l::ODOMETER_MAX)),
        (
            "RecordInput",
            "cost",
            decimal(l::MAINTENANCE_COST_BELOW, l::MONEY_DP),
        ),
        ("RecordInput", "shopName", Text(l::TEXT_MAX)),
        ("RecordInput", "notes", Text(l::NOTES_MAX)),
        (
            "RecordInput",
            "documentIds",
            Items(l::RECORD_DOCUMENTS_MAX, Box::new(Required)),
        ),
        ("ScheduleInput", "vehicleId", Required),
        ("ScheduleInput", "category", Required),
        ("ScheduleInput", "subtypes", Required),
        (
            "ScheduleInput",
            "intervalMonths",
            Int(1, l::INTERVAL_MONTHS_MAX.into()),
        ),
        (
            "ScheduleInput",
            "intervalDistance",
            Int(1, l::INTERVAL_DISTANCE_MAX),
        ),
        (
            "ScheduleInput",
            "lastServiceOdometer",
            Int(0, l::ODOMETER_MAX),
        ),
        (
            "ScheduleInput",
            "reminderDaysBefore",
            Items(
                l::REMINDERS_MAX,
                Box::new(Int(0, l::REMINDER_DAYS_MAX.into())),
            ),
        ),
        // Documents (mvp-documents domain.rs).
        (
            "DocumentInput",
            "documentType",
            OneOf(mvp_types::document::DOCUMENT_TYPES.to_vec()),
        ),
        ("DocumentInput", "documentType", Required),
        (
            "DocumentInput",
            "title",
            LineRequired(l::DOCUMENT_TITLE_MAX),
        ),
        ("DocumentInput", "notes", Text(l::NOTES_MAX)),
        // Accounts (mvp-auth domain.rs, mvp-user-profile, mvp-user-preferences).
        ("SignupRequest", "email", Email),
        (
            "SignupRequest",
            "password",
            Chars(l::PASSWORD_MIN, l::PASSWORD_MAX),
        ),
        ("SignupRequest", "acceptTerms", True),
        ("ResendVerificationRequest", "email", Email),
        ("PasswordResetRequest", "email", Email),
        (
            "PasswordResetConfirm",
            "password",
            Chars(l::PASSWORD_MIN, l::PASSWORD_MAX),
        ),
        (
            "ChangePasswordRequest",
            "newPassword",
            Chars(l::PASSWORD_MIN, l::PASSWORD_MAX),
        ),
        // Backups (mvp-backup settings.rs).
        ("BackupSettings", "hour", Int(0, 23)),
        ("BackupSettings", "weekday", Int(1, 7)),
        (
            "BackupSettings",
            "timeZone",
            OneOf(mvp_user_preferences::domain::time_zone_names()),
        ),
        ("BackupSettings", "keepDaily", Int(1, 1000)),
        ("BackupSettings", "keepWeekly", Int(1, 1000)),
        ("BackupSettings", "keepMonthly", Int(1, 1000)),
        ("BackupSettings", "nextRunAt", ReadOnly),
        ("UpdateProfile", "notificationEmail", Email),
        ("UpdateProfile", "displayName", Line(l::DISPLAY_NAME_MAX)),
        (
            "UpdatePreferences",
            "unitSystem",
            OneOf(vec!["imperial", "metric"]),
        ),
        (
            "UpdatePreferences",
            "currencyCode",
            OneOf(mvp_user_preferences::domain::CURRENCIES.to_vec()),
        ),
        (
            "UpdatePreferences",
            "timeZone",
            OneOf(mvp_user_preferences::domain::time_zone_names()),
        ),
        ("UpdatePreferences", "darkMode", Bool),
        (
            "UpdatePreferences",
            "efficiencyUnit",
            OneOf(
                mvp_types::units::EfficiencyUnit::CHOICES
                    .iter()
                    .copied()
                    .chain(["auto"])
                    .collect(),
            ),
        ),
        // Admin (mvp-admin api/, mvp-platform manage.rs).
        ("GrantAdmin", "userId", LineRequired(l::ADMIN_USER_ID_MAX)),
        ("NewCatalogOption", "year", Int(l::FIRST_YEAR.into(), 9999)),
        ("NewCatalogOption", "year", Required),
        (
            "NewCatalogOption",
            "make",
            LineRequired(l::CATALOG_NAME_MAX),
        ),
        (
            "NewCatalogOption",
            "model",
            LineRequired(l::CATALOG_NAME_MAX),
        ),
        (
            "NewCatalogOption",
            "trim",
            LineRequired(l::CATALOG_NAME_MAX),
        ),
        (
            "NewCatalogOption",
            "engine",
            LineRequired(l::CATALOG_NAME_MAX),
        ),
        (
            "NewCatalogOption",
            "transmission",
            LineRequired(l::CATALOG_NAME_MAX),
        ),
        (
            "RenameCatalogEntry",
            "name",
            LineRequired(l::CATALOG_NAME_MAX),
        ),
        (
            "ModerateStation",
            "reason",
            Text(l::STATION_REVIEW_REASON_MAX),
        ),
    ];
    // Echoed read-only fields: any value, ignored.
    for (schema, fields) in [
        (
            "VehicleInput",
            &["id", "createdAt", "updatedAt", "hasImage"][..],
        ),
        (
            "FuelLogInput",
            &[
                "id",
                "createdAt",
                "updatedAt",
                "efficiency",
                "efficiencyUnit",
            ][..],
        ),
        ("RecordInput", &["id", "createdAt", "updatedAt"][..]),
        (
            "ScheduleInput",
            &[
                "id",
                "createdAt",
                "updatedAt",
                "nextDueDate",
                "nextDueOdometer",
                "status",
            ][..],
        ),
        (
            "DocumentInput",
            &[
                "id",
                "fileName",
                "contentType",
                "sizeBytes",
                "sha256",
                "createdAt",
                "updatedAt",
            ][..],
        ),
        ("UpdateProfile", &["id", "email", "createdAt"][..]),
    ] {
        rules.extend(fields.iter().map(|field| (schema, *field, ReadOnly)));
    }
    rules
}
