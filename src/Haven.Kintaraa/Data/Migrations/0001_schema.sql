CREATE SCHEMA kintaraa;
