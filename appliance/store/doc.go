// Package store keeps Kefu's records with GORM: SQLite (pure Go) by default,
// MySQL 8 / MariaDB 10.11 in production. It is the only package that touches
// GORM. One file per entity; versioned migrations are embedded and run on
// both databases; transactions travel in the context (WithTx).
package store
