//! WASI errno values, numbered exactly as `$errno` in the preview1 witx
//! (`typenames.witx`: an enum tagged u16, `success` = 0 through `notcapable` = 76),
//! and the translation of host I/O errors into them.

use std::fmt;
use std::io;

/// A WASI error number (`$errno`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Errno(pub u16);

impl Errno {
    pub const SUCCESS: Errno = Errno(0);
    pub const TOOBIG: Errno = Errno(1);
    pub const ACCES: Errno = Errno(2);
    pub const ADDRINUSE: Errno = Errno(3);
    pub const ADDRNOTAVAIL: Errno = Errno(4);
    pub const AFNOSUPPORT: Errno = Errno(5);
    pub const AGAIN: Errno = Errno(6);
    pub const ALREADY: Errno = Errno(7);
    pub const BADF: Errno = Errno(8);
    pub const BADMSG: Errno = Errno(9);
    pub const BUSY: Errno = Errno(10);
    pub const CANCELED: Errno = Errno(11);
    pub const CHILD: Errno = Errno(12);
    pub const CONNABORTED: Errno = Errno(13);
    pub const CONNREFUSED: Errno = Errno(14);
    pub const CONNRESET: Errno = Errno(15);
    pub const DEADLK: Errno = Errno(16);
    pub const DESTADDRREQ: Errno = Errno(17);
    pub const DOM: Errno = Errno(18);
    pub const DQUOT: Errno = Errno(19);
    pub const EXIST: Errno = Errno(20);
    pub const FAULT: Errno = Errno(21);
    pub const FBIG: Errno = Errno(22);
    pub const HOSTUNREACH: Errno = Errno(23);
    pub const IDRM: Errno = Errno(24);
    pub const ILSEQ: Errno = Errno(25);
    pub const INPROGRESS: Errno = Errno(26);
    pub const INTR: Errno = Errno(27);
    pub const INVAL: Errno = Errno(28);
    pub const IO: Errno = Errno(29);
    pub const ISCONN: Errno = Errno(30);
    pub const ISDIR: Errno = Errno(31);
    pub const LOOP: Errno = Errno(32);
    pub const MFILE: Errno = Errno(33);
    pub const MLINK: Errno = Errno(34);
    pub const MSGSIZE: Errno = Errno(35);
    pub const MULTIHOP: Errno = Errno(36);
    pub const NAMETOOLONG: Errno = Errno(37);
    pub const NETDOWN: Errno = Errno(38);
    pub const NETRESET: Errno = Errno(39);
    pub const NETUNREACH: Errno = Errno(40);
    pub const NFILE: Errno = Errno(41);
    pub const NOBUFS: Errno = Errno(42);
    pub const NODEV: Errno = Errno(43);
    pub const NOENT: Errno = Errno(44);
    pub const NOEXEC: Errno = Errno(45);
    pub const NOLCK: Errno = Errno(46);
    pub const NOLINK: Errno = Errno(47);
    pub const NOMEM: Errno = Errno(48);
    pub const NOMSG: Errno = Errno(49);
    pub const NOPROTOOPT: Errno = Errno(50);
    pub const NOSPC: Errno = Errno(51);
    pub const NOSYS: Errno = Errno(52);
    pub const NOTCONN: Errno = Errno(53);
    pub const NOTDIR: Errno = Errno(54);
    pub const NOTEMPTY: Errno = Errno(55);
    pub const NOTRECOVERABLE: Errno = Errno(56);
    pub const NOTSOCK: Errno = Errno(57);
    pub const NOTSUP: Errno = Errno(58);
    pub const NOTTY: Errno = Errno(59);
    pub const NXIO: Errno = Errno(60);
    pub const OVERFLOW: Errno = Errno(61);
    pub const OWNERDEAD: Errno = Errno(62);
    pub const PERM: Errno = Errno(63);
    pub const PIPE: Errno = Errno(64);
    pub const PROTO: Errno = Errno(65);
    pub const PROTONOSUPPORT: Errno = Errno(66);
    pub const PROTOTYPE: Errno = Errno(67);
    pub const RANGE: Errno = Errno(68);
    pub const ROFS: Errno = Errno(69);
    pub const SPIPE: Errno = Errno(70);
    pub const SRCH: Errno = Errno(71);
    pub const STALE: Errno = Errno(72);
    pub const TIMEDOUT: Errno = Errno(73);
    pub const TXTBSY: Errno = Errno(74);
    pub const XDEV: Errno = Errno(75);
    pub const NOTCAPABLE: Errno = Errno(76);

    /// The witx name of the error, e.g. `"noent"`.
    pub fn name(self) -> &'static str {
        match self.0 {
            0 => "success",
            1 => "2big",
            2 => "acces",
            3 => "addrinuse",
            4 => "addrnotavail",
            5 => "afnosupport",
            6 => "again",
            7 => "already",
            8 => "badf",
            9 => "badmsg",
            10 => "busy",
            11 => "canceled",
            12 => "child",
            13 => "connaborted",
            14 => "connrefused",
            15 => "connreset",
            16 => "deadlk",
            17 => "destaddrreq",
            18 => "dom",
            19 => "dquot",
            20 => "exist",
            21 => "fault",
            22 => "fbig",
            23 => "hostunreach",
            24 => "idrm",
            25 => "ilseq",
            26 => "inprogress",
            27 => "intr",
            28 => "inval",
            29 => "io",
            30 => "isconn",
            31 => "isdir",
            32 => "loop",
            33 => "mfile",
            34 => "mlink",
            35 => "msgsize",
            36 => "multihop",
            37 => "nametoolong",
            38 => "netdown",
            39 => "netreset",
            40 => "netunreach",
            41 => "nfile",
            42 => "nobufs",
            43 => "nodev",
            44 => "noent",
            45 => "noexec",
            46 => "nolck",
            47 => "nolink",
            48 => "nomem",
            49 => "nomsg",
            50 => "noprotoopt",
            51 => "nospc",
            52 => "nosys",
            53 => "notconn",
            54 => "notdir",
            55 => "notempty",
            56 => "notrecoverable",
            57 => "notsock",
            58 => "notsup",
            59 => "notty",
            60 => "nxio",
            61 => "overflow",
            62 => "ownerdead",
            63 => "perm",
            64 => "pipe",
            65 => "proto",
            66 => "protonosupport",
            67 => "prototype",
            68 => "range",
            69 => "rofs",
            70 => "spipe",
            71 => "srch",
            72 => "stale",
            73 => "timedout",
            74 => "txtbsy",
            75 => "xdev",
            76 => "notcapable",
            _ => "unknown",
        }
    }
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name(), self.0)
    }
}

impl std::error::Error for Errno {}

/// Linux errno numbers (the same on every Linux architecture) to WASI ones.
fn from_linux(raw: i32) -> Option<Errno> {
    Some(match raw {
        1 => Errno::PERM,
        2 => Errno::NOENT,
        3 => Errno::SRCH,
        4 => Errno::INTR,
        5 => Errno::IO,
        6 => Errno::NXIO,
        7 => Errno::TOOBIG,
        8 => Errno::NOEXEC,
        9 => Errno::BADF,
        10 => Errno::CHILD,
        11 => Errno::AGAIN,
        12 => Errno::NOMEM,
        13 => Errno::ACCES,
        14 => Errno::FAULT,
        16 => Errno::BUSY,
        17 => Errno::EXIST,
        18 => Errno::XDEV,
        19 => Errno::NODEV,
        20 => Errno::NOTDIR,
        21 => Errno::ISDIR,
        22 => Errno::INVAL,
        23 => Errno::NFILE,
        24 => Errno::MFILE,
        25 => Errno::NOTTY,
        26 => Errno::TXTBSY,
        27 => Errno::FBIG,
        28 => Errno::NOSPC,
        29 => Errno::SPIPE,
        30 => Errno::ROFS,
        31 => Errno::MLINK,
        32 => Errno::PIPE,
        33 => Errno::DOM,
        34 => Errno::RANGE,
        35 => Errno::DEADLK,
        36 => Errno::NAMETOOLONG,
        37 => Errno::NOLCK,
        38 => Errno::NOSYS,
        39 => Errno::NOTEMPTY,
        40 => Errno::LOOP,
        42 => Errno::NOMSG,
        43 => Errno::IDRM,
        67 => Errno::NOLINK,
        71 => Errno::PROTO,
        72 => Errno::MULTIHOP,
        74 => Errno::BADMSG,
        75 => Errno::OVERFLOW,
        84 => Errno::ILSEQ,
        88 => Errno::NOTSOCK,
        89 => Errno::DESTADDRREQ,
        90 => Errno::MSGSIZE,
        91 => Errno::PROTOTYPE,
        92 => Errno::NOPROTOOPT,
        93 => Errno::PROTONOSUPPORT,
        95 => Errno::NOTSUP,
        97 => Errno::AFNOSUPPORT,
        98 => Errno::ADDRINUSE,
        99 => Errno::ADDRNOTAVAIL,
        100 => Errno::NETDOWN,
        101 => Errno::NETUNREACH,
        102 => Errno::NETRESET,
        103 => Errno::CONNABORTED,
        104 => Errno::CONNRESET,
        105 => Errno::NOBUFS,
        106 => Errno::ISCONN,
        107 => Errno::NOTCONN,
        110 => Errno::TIMEDOUT,
        111 => Errno::CONNREFUSED,
        113 => Errno::HOSTUNREACH,
        114 => Errno::ALREADY,
        115 => Errno::INPROGRESS,
        116 => Errno::STALE,
        122 => Errno::DQUOT,
        125 => Errno::CANCELED,
        130 => Errno::OWNERDEAD,
        131 => Errno::NOTRECOVERABLE,
        _ => return None,
    })
}

impl From<io::Error> for Errno {
    fn from(e: io::Error) -> Errno {
        if cfg!(target_os = "linux") {
            if let Some(n) = e.raw_os_error().and_then(from_linux) {
                return n;
            }
        }
        use io::ErrorKind as K;
        match e.kind() {
            K::NotFound => Errno::NOENT,
            K::PermissionDenied => Errno::ACCES,
            K::ConnectionRefused => Errno::CONNREFUSED,
            K::ConnectionReset => Errno::CONNRESET,
            K::ConnectionAborted => Errno::CONNABORTED,
            K::NotConnected => Errno::NOTCONN,
            K::AddrInUse => Errno::ADDRINUSE,
            K::AddrNotAvailable => Errno::ADDRNOTAVAIL,
            K::BrokenPipe => Errno::PIPE,
            K::AlreadyExists => Errno::EXIST,
            K::WouldBlock => Errno::AGAIN,
            K::InvalidInput => Errno::INVAL,
            K::InvalidData => Errno::ILSEQ,
            K::TimedOut => Errno::TIMEDOUT,
            K::Interrupted => Errno::INTR,
            K::Unsupported => Errno::NOTSUP,
            K::OutOfMemory => Errno::NOMEM,
            _ => Errno::IO,
        }
    }
}

/// The result of a WASI call's implementation.
pub type WasiResult<T> = Result<T, Errno>;
