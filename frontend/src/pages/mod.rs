//! One module per screen (a page component and its private parts).

pub mod admin;
pub mod admin_backup_schedule;
pub mod admin_backups;
pub mod admin_catalog;
pub mod admin_review;
pub mod auth;
pub mod dashboard;
pub mod documents;
pub mod fuel_draft;
pub mod fuel_form;
pub mod fuel_tab;
pub mod maintenance_forms;
pub mod maintenance_tab;
pub mod misc;
pub mod notifications;
pub mod onboarding;
pub mod password;
pub mod preferences;
pub mod profile;
pub mod stations;
pub mod terms;
pub mod vehicle_detail;
pub mod vehicle_draft;
pub mod vehicle_form;
pub mod vehicles;
pub mod your_data;
