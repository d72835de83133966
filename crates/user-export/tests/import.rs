//! Imports against the real app: a fixture per format written here, the economy the app then shows
//! equal to the one worked out by hand, a second import adding nothing, bad rows reported with their
//! line and the rest kept, a wrong header named, the size and row limits, and another user's vehicle.

use mvp_test_support::app::json;
use mvp_test_support::{TestApp, spawn_app};
use serde_json::{Value, json};

async fn import(app: &TestApp, token: &str, query: &str, file: &[u8]) -> reqwest::Response {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(file.to_vec()).file_name("export.csv"),
    );
    app.send_multipart(
        reqwest::Method::POST,
        token,
        &format!("/api/user/import?{query}"),
        form,
    )
    .await
}

async fn imported(app: &TestApp, token: &str, query: &str, file: &[u8]) -> Value {
    let response = import(app, token, query, file).await;
    assert_eq!(response.status(), 200, "{query}");
    json(response).await
}

/// The vehicle's fill-ups, oldest first: (odometer, fuelUnits, totalCost, efficiency) as text.
async fn fills(app: &TestApp, token: &str, vehicle: &str) -> Vec<[String; 4]> {
    let list = json(
        app.get_as(
            token,
            &format!("/api/fuel-logs?vehicleId={vehicle}&limit=500"),
        )
        .await,
    )
    .await;
    let mut rows: Vec<[String; 4]> = list
        .as_array()
        .unwrap_or_else(|| panic!("{list}"))
        .iter()
        .map(|l| {
            [
                l["odometerReading"].to_string(),
                l["fuelUnits"].to_string(),
                l["totalCost"].to_string(),
                l["efficiency"].to_string(),
            ]
        })
        .collect();
    rows.reverse();
    rows
}

fn row(odometer: &str, units: &str, total: &str, efficiency: &str) -> [String; 4] {
    [odometer, units, total, efficiency].map(str::to_owned)
}

async fn metric(app: &TestApp, token: &str) {
    let done = app
        .put_json_as(
            token,
            "/api/user/preferences",
            &json!({"unitSystem": "metric"}),
        )
        .await;
    assert_eq!(done.status(), 200);
}

const LUBELOGGER_FUEL: &str = "\
Date,Odometer,FuelConsumed,Cost,FuelEconomy,IsFillToFull,MissedFuelUp,Notes,Tags
1/5/2024,10000,10.000,35.00,0,True,False,first fill,
1/19/2024,10300,10.000,36.00,30,True,False,,
2/2/2024,10640,8.000,30.00,0,False,False,partial,city
2/16/2024,10940,12.000,42.00,32,True,False,\"=cmd|' /C calc'!A0\",
2/20/2024,abc,10.000,30.00,0,True,False,,
2/21/2024,11200,-4,30.00,0,True,False,,
1/1/2099,11300,10.000,30.00,0,True,False,,
3/1/2024,11000,10.000,35.00,0,True,False,,
";

#[tokio::test]
async fn lubelogger_with_us_dates_gives_the_economy_worked_by_hand_and_imports_once() {
    let app = spawn_app().await;
    let token = app.token("auth0|lube").await;
    let vehicle = app
        .create_vehicle(&token, 9_000, Value::Null)
        .await
        .to_string();
    let query = format!("format=lubelogger&vehicleId={vehicle}");
    let report = imported(&app, &token, &query, LUBELOGGER_FUEL.as_bytes()).await;
    assert_eq!(report["imported"], 5, "{report}");
    assert_eq!(report["dateOrder"], "M/D/YYYY");
    let skipped: Vec<(u64, String)> = report["skipped"]
        .as_array()
        .unwrap_or_else(|| panic!("{report}"))
        .iter()
        .map(|s| {
            (
                s["row"].as_u64().unwrap_or_default(),
                s["reason"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let lines: Vec<u64> = skipped.iter().map(|(l, _)| *l).collect();
    assert_eq!(lines, [6, 7, 8], "{skipped:?}");
    assert!(
        skipped[0].1.contains("\"abc\" is not a number"),
        "{skipped:?}"
    );
    assert!(skipped[1].1.contains("fuelUnits"), "{skipped:?}");
    assert!(skipped[2].1.contains("future"), "{skipped:?}");
    // Line 9 (11,000 on 1 March after 10,940 on 16 Feb) is in order: kept.
    // By hand: 300 mi / 10 gal = 30.00; (340 + 300) mi / (8 + 12) gal = 32.00; 60 / 10 = 6.00.
    assert_eq!(
        fills(&app, &token, &vehicle).await,
        [
            row("10000", "10.000", "35.00", "null"),
            row("10300", "10.000", "36.00", "30.00"),
            row("10640", "8.000", "30.00", "null"),
            row("10940", "12.000", "42.00", "32.00"),
            row("11000", "10.000", "35.00", "6.00"),
        ]
    );
    let again = imported(&app, &token, &query, LUBELOGGER_FUEL.as_bytes()).await;
    assert_eq!(again["imported"], 0, "{again}");
    let duplicates = again["skipped"]
        .as_array()
        .map(|s| s.iter().filter(|s| s["reason"] == "duplicate").count());
    assert_eq!(duplicates, Some(5), "{again}");
    // The vehicle's odometer followed the highest reading.
    let v = json(
        app.get_as(&token, &format!("/api/vehicles/{vehicle}"))
            .await,
    )
    .await;
    assert_eq!(v["odometerReading"], 11_000);

    // The service export becomes maintenance records.
    let service = "Date,Odometer,Description,Cost,Notes,Tags\n\
                   1/10/2024,10100,Oil change and oil filter,89.95,Quick Lube,\n\
                   2/25/2024,10950,Replaced alternator,412.10,,warranty\n";
    let report = imported(&app, &token, &query, service.as_bytes()).await;
    assert_eq!(report["imported"], 2, "{report}");
    let records = json(
        app.get_as(
            &token,
            &format!("/api/maintenance/records?vehicleId={vehicle}"),
        )
        .await,
    )
    .await;
    let records = records.as_array().cloned().unwrap_or_default();
    assert_eq!(records.len(), 2);
    assert_eq!(records[0]["category"], "repair");
    assert_eq!(records[0]["cost"].to_string(), "412.10");
    assert_eq!(records[1]["subtypes"], json!(["Oil Filter", "Engine Oil"]));
    assert_eq!(
        records[1]["notes"],
        "Oil change and oil filter — Quick Lube"
    );
    let again = imported(&app, &token, &query, service.as_bytes()).await;
    assert_eq!(again["imported"], 0, "{again}");
}

#[tokio::test]
async fn fuelly_in_litres_and_km_creates_the_car_and_shows_litres_per_100_km() {
    let app = spawn_app().await;
    let token = app.token("auth0|fuelly").await;
    metric(&app, &token).await;
    let file = "\
car_name,model,l/100km,odometer,km,litres,price,city_percentage,fuelup_date,date_added,tags,notes,missed_fuelup,partial_fuelup,latitude,longitude,brand
Daily,2019 Skoda Octavia,0,50000,0,40.00,1.659,0,2024-03-01,2024-03-01,,,0,0,,,
Daily,2019 Skoda Octavia,7.0,50600,600,42.00,1.699,0,2024-03-15,2024-03-15,,,0,0,,,
Daily,2019 Skoda Octavia,0,50900,300,20.00,1.70,0,2024-03-22,2024-03-22,,,0,1,,,
Daily,2019 Skoda Octavia,0,51100,200,15.50,1.70,0,2024-03-29,2024-03-29,,,0,0,,,
";
    let report = imported(&app, &token, "format=fuelly", file.as_bytes()).await;
    assert_eq!(report["imported"], 4, "{report}");
    assert_eq!(
        report["dateOrder"],
        Value::Null,
        "ISO dates: nothing to decide"
    );
    let vehicles = report["vehicles"].as_array().cloned().unwrap_or_default();
    assert_eq!(vehicles.len(), 1);
    let vehicle = vehicles[0].as_str().unwrap_or_default().to_owned();
    let v = json(
        app.get_as(&token, &format!("/api/vehicles/{vehicle}"))
            .await,
    )
    .await;
    assert_eq!(
        (
            v["nickname"].as_str(),
            v["year"].as_i64(),
            v["make"].as_str(),
            v["model"].as_str()
        ),
        (Some("Daily"), Some(2019), Some("Skoda"), Some("Octavia"))
    );
    // By hand: 42.00 L / 600 km × 100 = 7.00; the partial 20.00 L joins the next full fill:
    // (20.00 + 15.50) L / (300 + 200) km × 100 = 7.10. 42.00 × 1.699 = 71.358 → 71.36.
    assert_eq!(
        fills(&app, &token, &vehicle).await,
        [
            row("50000", "40.00", "66.36", "null"),
            row("50600", "42.00", "71.36", "7.00"),
            row("50900", "20.00", "34.00", "null"),
            row("51100", "15.50", "26.35", "7.10"),
        ]
    );
    let again = imported(&app, &token, "format=fuelly", file.as_bytes()).await;
    assert_eq!(again["imported"], 0, "{again}");
    let list = json(app.get_as(&token, "/api/vehicles").await).await;
    assert_eq!(
        list.as_array().map(Vec::len),
        Some(1),
        "the car is found again by name"
    );
}

#[tokio::test]
async fn a_fuelio_backup_and_a_generic_file_with_decimal_commas() {
    let app = spawn_app().await;
    let token = app.token("auth0|fuelio").await;
    metric(&app, &token).await;
    let fuelio = r###""## Vehicle"
"Name","Description","DistUnit","FuelUnit","ConsumptionUnit","ImportCSVDateFormat","VIN","Insurance","Plate","Make","Model","Year","TankCount","Tank1Type","Tank2Type","Active","Tank1Capacity","Tank2Capacity","FuelUnitTank2","FuelConsumptionTank2"
"Bike","","0","0","0","yyyy-MM-dd","","","AB123","Yamaha","MT-07","2021","1","100","0","1","14","0","0","0"
"## Log"
"Data","Odo (km)","Fuel (litres)","Full","Price (optional)","l/100km (optional)","latitude (optional)","longitude (optional)","City (optional)","Notes (optional)","Missed","TankNumber","FuelType","VolumePrice","StationID (optional)","ExcludeDistance","UniqueId","TankCalc","Weather"
"2024-04-01 08:15","20000","10.00","1","18.00","0","","","","","0","1","100","1.80","0","0","1","0",""
"2024-04-10 18:40","20250","10.00","1","18.50","4.0","","","","","0","1","100","1.85","0","0","2","0",""
"2024-04-20 09:00","20450","9.00","1","16.65","4.5","","","","","0","1","100","1.85","0","0","3","0",""
"## CostCategories"
"CostTypeID","Name","priority","color"
"1","Service","0","#FF0000"
"###;
    let report = imported(&app, &token, "format=fuelio", fuelio.as_bytes()).await;
    assert_eq!(report["imported"], 3, "{report}");
    let bike = report["vehicles"][0]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let v = json(app.get_as(&token, &format!("/api/vehicles/{bike}")).await).await;
    assert_eq!(
        (v["make"].as_str(), v["licensePlate"].as_str()),
        (Some("Yamaha"), Some("AB123"))
    );
    // 10.00 L / 250 km = 4.00; 9.00 L / 200 km = 4.50.
    assert_eq!(
        fills(&app, &token, &bike).await,
        [
            row("20000", "10.00", "18.00", "null"),
            row("20250", "10.00", "18.50", "4.00"),
            row("20450", "9.00", "16.65", "4.50"),
        ]
    );
    let first = json(
        app.get_as(&token, &format!("/api/fuel-logs?vehicleId={bike}"))
            .await,
    )
    .await;
    let oldest = first
        .as_array()
        .and_then(|a| a.last())
        .cloned()
        .unwrap_or_default();
    assert!(
        oldest["dateTime"]
            .as_str()
            .is_some_and(|t| t.starts_with("2024-04-01T")),
        "the time of day is kept: {oldest}"
    );
    assert_eq!(
        imported(&app, &token, "format=fuelio", fuelio.as_bytes()).await["imported"],
        0
    );

    let car = app
        .create_vehicle(
            &token,
            100,
            json!({"year": 2019, "make": "Volkswagen", "model": "Golf", "fuelType": "diesel",
                   "odometerReading": 100}),
        )
        .await
        .to_string();
    let generic = "date;odometer;quantity;total;full;notes\n\
                   01.05.2024;30000;40,00;64,00;yes;\n\
                   15.05.2024;30500;35,00;56,70;yes;two words\n\
                   16.05.2024;30600;zehn;10,00;yes;\n";
    let report = imported(
        &app,
        &token,
        &format!("format=generic&vehicleId={car}"),
        generic.as_bytes(),
    )
    .await;
    assert_eq!(report["imported"], 2, "{report}");
    assert_eq!(report["decimalComma"], true);
    assert_eq!(report["skipped"][0]["row"], 4);
    // 35.00 L / 500 km × 100 = 7.00; 56.70 / 35.00 = 1.62 a litre.
    let logs = json(
        app.get_as(&token, &format!("/api/fuel-logs?vehicleId={car}"))
            .await,
    )
    .await;
    assert_eq!(logs[0]["efficiency"].to_string(), "7.00");
    assert_eq!(logs[0]["costPerUnit"].to_string(), "1.62");
    assert_eq!(logs[0]["notes"], "two words");
    assert_eq!(
        logs[0]["fuelType"], "diesel",
        "the vehicle's fuel when the file names none"
    );
}

#[tokio::test]
async fn bad_files_are_refused_whole_and_a_dry_run_writes_nothing() {
    let app = spawn_app().await;
    let token = app.token("auth0|bad").await;
    let vehicle = app
        .create_vehicle(&token, 100, Value::Null)
        .await
        .to_string();
    let query = format!("format=lubelogger&vehicleId={vehicle}");

    let wrong = import(
        &app,
        &token,
        &query,
        b"Date,Mileage,Gallons\n1/5/2024,100,3\n",
    )
    .await;
    assert_eq!(wrong.status(), 400);
    let body = json(wrong).await;
    let message = body["error"]["details"][0]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(body["error"]["details"][0]["field"], "file", "{body}");
    for column in ["Odometer", "FuelConsumed", "Cost"] {
        assert!(message.contains(column), "{message}");
    }
    let unknown = import(&app, &token, "format=excel", b"a\n").await;
    assert_eq!(unknown.status(), 400);
    assert_eq!(
        json(unknown).await["error"]["details"][0]["field"],
        "format"
    );
    let no_vehicle = import(
        &app,
        &token,
        "format=generic",
        b"date,odometer,quantity,total\n2024-01-01,1,1,1\n",
    )
    .await;
    assert_eq!(
        json(no_vehicle).await["error"]["details"][0]["field"],
        "vehicleId"
    );

    // Not UTF-8 on one line: that line is skipped, the others imported.
    let mut file = b"date,odometer,quantity,total,notes\n2024-01-01,1000,10,30,ok\n".to_vec();
    file.extend_from_slice(b"2024-01-08,1200,10,30,caf\xe9\n2024-01-15,1400,10,30,ok\n");
    let dry = imported(
        &app,
        &token,
        &format!("format=generic&vehicleId={vehicle}&dryRun=true"),
        &file,
    )
    .await;
    assert_eq!(
        (dry["imported"].as_u64(), dry["dryRun"].as_bool()),
        (Some(2), Some(true))
    );
    assert_eq!(dry["skipped"][0]["row"], 3);
    assert_eq!(dry["preview"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        fills(&app, &token, &vehicle).await.len(),
        0,
        "a dry run writes nothing"
    );
    let real = imported(
        &app,
        &token,
        &format!("format=generic&vehicleId={vehicle}"),
        &file,
    )
    .await;
    assert_eq!(real["imported"], 2);

    // 100,001 rows, and 10 MiB + 1 byte.
    let mut many = String::from("date,odometer,quantity,total\n");
    for i in 0..100_001 {
        many.push_str(&format!("2024-01-01,{i},1,1\n"));
    }
    assert_eq!(
        import(
            &app,
            &token,
            &query.replace("lubelogger", "generic"),
            many.as_bytes()
        )
        .await
        .status(),
        413
    );
    let huge = vec![b'a'; 10 * 1024 * 1024 + 1];
    assert_eq!(import(&app, &token, &query, &huge).await.status(), 413);

    // Another user's vehicle is not found.
    let other = app.token("auth0|other").await;
    let theirs = import(
        &app,
        &other,
        &format!("format=generic&vehicleId={vehicle}"),
        &file,
    )
    .await;
    assert_eq!(theirs.status(), 404);
    assert_eq!(fills(&app, &token, &vehicle).await.len(), 2);
}

/// A multipart POST whose body arrives in three parts `pause` apart; the status code answered.
async fn slow_post(
    app: &TestApp,
    token: &str,
    path: &str,
    file: &[u8],
    pause: std::time::Duration,
) -> u16 {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let boundary = "slowboundary7MA4YWxkTrZu0gW";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"slow.csv\"\r\n\
         Content-Type: text/csv\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let mut stream = tokio::net::TcpStream::connect(app.addr)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n",
        app.addr,
        body.len()
    );
    stream
        .write_all(head.as_bytes())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    for part in body.chunks(body.len().div_ceil(3)) {
        tokio::time::sleep(pause).await;
        if stream.write_all(part).await.is_err() {
            break; // the server answered (and closed) before the body was whole
        }
    }
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    String::from_utf8_lossy(&answer)
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0)
}

#[tokio::test]
async fn an_import_is_not_cut_by_the_request_timeout_while_its_file_arrives() {
    let app = mvp_test_support::TestAppBuilder::new()
        .var("MVP_SERVER__REQUEST_TIMEOUT_SECS", "1")
        .spawn()
        .await;
    let token = app.token("auth0|slow").await;
    let vehicle = app
        .create_vehicle(&token, 100, Value::Null)
        .await
        .to_string();
    let file = b"date,odometer,quantity,total\n2024-01-01,1000,10,30\n2024-01-08,1300,10,31\n";
    let pause = std::time::Duration::from_millis(700);
    let path = format!("/api/user/import?format=generic&vehicleId={vehicle}");
    assert_eq!(slow_post(&app, &token, &path, file, pause).await, 200);
    assert_eq!(fills(&app, &token, &vehicle).await.len(), 2);
    // An ordinary route is still held to the 1 s limit.
    assert_eq!(
        slow_post(&app, &token, "/api/documents", file, pause).await,
        503
    );
}
