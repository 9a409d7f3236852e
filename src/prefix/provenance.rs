//! How far a line's transport proves that the kernel wrote it: from the line's own prefix
//! (a `/dev/kmsg` record's priority, a syslog tag or `<PRI>`) and from a journald record's
//! trusted fields.

use serde_json::{Map, Value};

/// What a line's transport says about who wrote it. Ordered from weakest to strongest claim
/// to be the kernel's, so that the proof of a report is the least proven of its lines.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum Provenance {
    /// The transport proves the line is **not** the kernel's (another program's syslog tag, a
    /// non-zero syslog facility, a journald record from a process): it never opens, joins or
    /// splits a report.
    NotKernel,
    /// The transport cannot tell: a `kernel:` tag in a text file, which `logger -t kernel`
    /// writes as well, a bare line, a Fluent Bit `kmsg` record (its `priority` keeps only the
    /// level).
    #[default]
    Unverified,
    /// The transport proves the kernel wrote the line: a `/dev/kmsg` record or `dmesg -r`
    /// line of facility 0, a journald record with `_TRANSPORT=kernel` and no process fields.
    Kernel,
}

impl Provenance {
    /// The syslog facility `facility`'s word on a record the kernel's log buffer holds:
    /// `devkmsg_write` (kernel/printk/printk.c) starts every write to `/dev/kmsg` at
    /// `facility = 1 /* LOG_USER */` and takes the writer's `<N>` only `if (i >> 3)`, so a
    /// record of facility 0 (`LOG_KERN`) was printed by the kernel itself.
    pub fn of_kernel_buffer_facility(facility: u64) -> Self {
        if facility == 0 {
            Self::Kernel
        } else {
            Self::NotKernel
        }
    }

    /// The syslog facility of a text transport (`<PRI>`, `facility.level`): any other than
    /// `kern` proves another writer; `kern` proves nothing, since a local syslog daemon
    /// takes a client's claim of it.
    pub fn of_text_facility(facility: u64) -> Self {
        if facility == 0 {
            Self::Unverified
        } else {
            Self::NotKernel
        }
    }

    /// What two independent transports of one line say together (the record's metadata and
    /// the message's prefix): either's disproof wins, else either's proof.
    pub fn combined(self, other: Self) -> Self {
        match (self, other) {
            (Self::NotKernel, _) | (_, Self::NotKernel) => Self::NotKernel,
            (Self::Kernel, _) | (_, Self::Kernel) => Self::Kernel,
            _ => Self::Unverified,
        }
    }

    /// `kernel` or `unverified`, as the event's `oom.provenance` says it (a report never
    /// holds a line proven not to be the kernel's).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Kernel => "kernel",
            Self::Unverified | Self::NotKernel => "unverified",
        }
    }
}

/// The names a journald field takes in a record: as `journalctl -o json` and Vector's
/// `journald` source write it, and as Fluent Bit's `systemd` input does with `Lowercase`,
/// with `Strip_Underscores`, and with both.
struct JournaldNames {
    transport: &'static str,
    pid: &'static str,
    uid: &'static str,
    facility: &'static str,
}

const JOURNALD_NAMES: [JournaldNames; 4] = [
    JournaldNames {
        transport: "_TRANSPORT",
        pid: "_PID",
        uid: "_UID",
        facility: "SYSLOG_FACILITY",
    },
    JournaldNames {
        transport: "_transport",
        pid: "_pid",
        uid: "_uid",
        facility: "syslog_facility",
    },
    JournaldNames {
        transport: "TRANSPORT",
        pid: "PID",
        uid: "UID",
        facility: "SYSLOG_FACILITY",
    },
    JournaldNames {
        transport: "transport",
        pid: "pid",
        uid: "uid",
        facility: "syslog_facility",
    },
];

/// What a log record's journald fields prove about its message.
///
/// journald sets `_TRANSPORT` and the `_PID`/`_UID` credentials itself (they are its trusted
/// fields, which a client cannot write): `kernel` only for what it read from `/dev/kmsg`, whose
/// records carry no process. It copies the kmsg record's facility into `SYSLOG_FACILITY`, so a
/// userspace write to `/dev/kmsg` comes with `_TRANSPORT=kernel` and a facility other than 0.
/// So: a transport other than `kernel`, a facility other than 0, or a pid or uid on a record
/// of the kernel transport prove another writer; the kernel transport without them proves the
/// kernel. A record with no transport field proves nothing, except by a non-zero
/// `SYSLOG_FACILITY` or journald's own `_PID`/`_UID`.
pub fn of_record_fields(fields: &Map<String, Value>) -> Provenance {
    // A shipper's remap may write a field it did not find as `null` (VRL `{"_PID": ._PID}`):
    // that is a field absent.
    let field = |name: &str| fields.get(name).filter(|value| !value.is_null());
    for names in &JOURNALD_NAMES {
        let Some(transport) = field(names.transport) else {
            continue;
        };
        let by_process = field(names.pid).is_some() || field(names.uid).is_some();
        let facility = field(names.facility).map(facility_value);
        return if transport.as_str() != Some("kernel")
            || by_process
            || facility.is_some_and(|f| f != Some(0))
        {
            Provenance::NotKernel
        } else {
            Provenance::Kernel
        };
    }
    let facility = ["SYSLOG_FACILITY", "syslog_facility"]
        .iter()
        .find_map(|name| field(name))
        .map(facility_value);
    let by_process = ["_PID", "_UID", "_pid", "_uid"]
        .iter()
        .any(|name| field(name).is_some());
    if by_process || facility.is_some_and(|f| f != Some(0)) {
        Provenance::NotKernel
    } else {
        Provenance::Unverified
    }
}

/// A facility field's number: journald writes it as a decimal string, some shippers as a
/// number. `None` when it is neither (which is not facility 0).
fn facility_value(value: &Value) -> Option<u64> {
    match value {
        Value::String(text) => text.trim().parse().ok(),
        Value::Number(number) => number.as_u64(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn of(record: Value) -> Provenance {
        match record {
            Value::Object(fields) => of_record_fields(&fields),
            _ => unreachable!(),
        }
    }

    #[test]
    fn journald_kernel_transport_without_process_is_the_kernel() {
        let record = json!({"_TRANSPORT": "kernel", "SYSLOG_FACILITY": "0", "MESSAGE": "x"});
        assert_eq!(of(record), Provenance::Kernel);
        assert_eq!(of(json!({"_TRANSPORT": "kernel"})), Provenance::Kernel);
    }

    #[test]
    fn logger_tag_kernel_through_journald_is_not_the_kernel() {
        // `logger -t kernel …` as `journalctl -o json` writes it.
        let record = json!({
            "_TRANSPORT": "syslog", "SYSLOG_FACILITY": "1", "SYSLOG_IDENTIFIER": "kernel",
            "_PID": "4242", "_UID": "1000", "MESSAGE": "Out of memory: Killed process 1",
        });
        assert_eq!(of(record), Provenance::NotKernel);
    }

    #[test]
    fn every_fluent_bit_systemd_naming_is_read() {
        for (transport, pid, facility) in [
            ("_transport", "_pid", "syslog_facility"),
            ("TRANSPORT", "PID", "SYSLOG_FACILITY"),
            ("transport", "pid", "syslog_facility"),
        ] {
            assert_eq!(of(json!({ transport: "kernel" })), Provenance::Kernel);
            assert_eq!(of(json!({ transport: "stdout" })), Provenance::NotKernel);
            let with_pid = json!({ transport: "kernel", pid: "7" });
            assert_eq!(of(with_pid), Provenance::NotKernel, "{transport}");
            let user = json!({ transport: "kernel", facility: "1" });
            assert_eq!(of(user), Provenance::NotKernel, "{transport}");
        }
    }

    #[test]
    fn userspace_write_to_dev_kmsg_keeps_its_facility_in_journald() {
        // `echo '<12>…' > /dev/kmsg`: journald's kernel transport, facility 1.
        let record = json!({"_TRANSPORT": "kernel", "SYSLOG_FACILITY": 1});
        assert_eq!(of(record), Provenance::NotKernel);
    }

    #[test]
    fn record_without_journald_fields_proves_nothing() {
        assert_eq!(
            of(json!({"message": "x", "host": "h"})),
            Provenance::Unverified
        );
        assert_eq!(
            of(json!({"message": "x", "_PID": "9"})),
            Provenance::NotKernel
        );
        assert_eq!(
            of(json!({"message": "x", "SYSLOG_FACILITY": "3"})),
            Provenance::NotKernel
        );
        // A Fluent Bit kmsg record's `priority` is the level alone (`p & 7` in in_kmsg).
        assert_eq!(
            of(json!({"priority": 4, "msg": "x"})),
            Provenance::Unverified
        );
    }

    #[test]
    fn null_fields_are_absent_fields() {
        let record =
            json!({"_TRANSPORT": "kernel", "_PID": null, "_UID": null, "SYSLOG_FACILITY": null});
        assert_eq!(of(record), Provenance::Kernel);
    }

    #[test]
    fn combined_prefers_a_disproof_then_a_proof() {
        use Provenance::*;
        assert_eq!(Kernel.combined(NotKernel), NotKernel);
        assert_eq!(Unverified.combined(Kernel), Kernel);
        assert_eq!(Unverified.combined(Unverified), Unverified);
    }
}
