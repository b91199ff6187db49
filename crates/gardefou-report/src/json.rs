//! The JSON reporter: the matrix as one object (schema in `docs/report.md`).

use std::io::{self, Write};

use serde_json::{json, Map, Value};

use crate::{Cell, Matrix, Status};

/// The schema's name and version, the object's `schema` field.
pub const SCHEMA: &str = "gardefou-report/1";

/// The matrix as a JSON value.
pub fn to_value(matrix: &Matrix) -> Value {
    let environments: Vec<Value> = matrix
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            json!({
                "name": c.environment.as_str(),
                "source": c.source,
                "status": matrix.column_status(i).as_str(),
            })
        })
        .collect();
    let rows: Vec<Value> = matrix
        .rows
        .iter()
        .map(|row| {
            let cells: Map<String, Value> = matrix
                .columns
                .iter()
                .zip(&row.cells)
                .map(|(col, cell)| (col.environment.as_str().to_owned(), cell_value(cell)))
                .collect();
            json!({
                "id": row.id,
                "label": row.label,
                "policy": row.policy,
                "cells": cells,
            })
        })
        .collect();
    json!({
        "verdict": if matrix.is_violated() { "deny" } else { "allow" },
        "schema": SCHEMA,
        "policy": matrix.policy_file,
        "probed": matrix.probed,
        "resolved": matrix.resolved,
        "environments": environments,
        "rows": rows,
        "summary": {
            "violation": matrix.count(Status::Violation),
            "warning": matrix.count(Status::Warning),
            "ok": matrix.count(Status::Ok),
            "absent": matrix.count(Status::Absent),
        },
    })
}

fn cell_value(cell: &Cell) -> Value {
    json!({
        "status": cell.status().as_str(),
        "present": cell.present,
        "facts": cell.facts,
        "fingerprint": cell.fingerprint.as_ref().map(|f| json!({
            "value": f.value,
            "scope": f.scope.as_str(),
        })),
        "shared_with": cell.shared_with.iter().map(|e| e.as_str()).collect::<Vec<_>>(),
        "rules": cell.rules(),
        "findings": cell.findings,
    })
}

/// Writes the matrix as one JSON object and a newline.
pub fn write(out: &mut dyn Write, matrix: &Matrix) -> io::Result<()> {
    serde_json::to_writer(&mut *out, &to_value(matrix))?;
    writeln!(out)
}
