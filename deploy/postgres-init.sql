-- Second database for the ohlcv upstream (the orm uses POSTGRES_DB).
CREATE DATABASE fullon_ohlcv OWNER fullon;
