"""Air quality: AQI (HJ 633), the air marts (HJ 663 statistics), build state, rankings."""
