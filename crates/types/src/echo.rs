//! The request bodies of `POST`/`PUT` accept the representation a `GET` returned, so a client can
//! send an object back with its changes. Its read-only fields (ids, timestamps, computed values) are
//! accepted with any value and ignored. `input_struct!` declares such a body once: the named echo
//! fields, then the real ones.

/// Declares a request body: `echo: [a, b]` become `Option<serde_json::Value>` fields that are read
/// and ignored (`#[serde(default)]`, any JSON value; an object in the OpenAPI document, which
/// `mvp-backend` rewrites as "any value, read-only"), followed by the struct's own fields.
#[macro_export]
macro_rules! input_struct {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            echo: [$($echo:ident),* $(,)?],
            $($(#[$fmeta:meta])* $fvis:vis $field:ident : $ty:ty),* $(,)?
        }
    ) => {
        $(#[$meta])*
        $vis struct $name {
            $(
                /// Read-only: sent back from a `GET` and ignored.
                #[serde(default)]
                #[cfg_attr(feature = "server", schema(value_type = Option<Object>))]
                pub $echo: Option<::serde_json::Value>,
            )*
            $($(#[$fmeta])* $fvis $field: $ty),*
        }
    };
}
