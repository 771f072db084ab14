//! One storage suite, run on both backends: every case is a plain async fn over a
//! [`Storage`], called once with SQLite and once with PostgreSQL.
//!
//! PostgreSQL comes from `TANDEM_TEST_POSTGRES_URL`, one schema per case so cases run in
//! parallel. Without it the PostgreSQL half fails when `CI` is set, and is skipped with a
//! loud notice otherwise.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cases;
mod erasure;
mod quotas;
mod record;
mod snapshot_pages;
mod support;

/// `case::sqlite` and `case::postgres` for each case (of `cases`, or of the module named).
macro_rules! on_both_backends {
    (in $module:ident: $($case:ident),* $(,)?) => {$(
        mod $case {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                let backend = crate::support::sqlite().await;
                crate::$module::$case(&backend).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                if let Some(backend) = crate::support::postgres(stringify!($case)).await {
                    crate::$module::$case(&backend).await;
                }
            }
        }
    )*};
    ($($case:ident),* $(,)?) => {
        on_both_backends!(in cases: $($case),*);
    };
}

on_both_backends!(
    teams_and_devices,
    revoking,
    invites_expire_and_are_single_use,
    invites_older_than_the_team_key_are_refused,
    concurrent_redeems_enrol_one_device,
    appends_are_idempotent,
    concurrent_appends_are_gap_free_in_commit_order,
    pulls_are_paged,
    a_page_comes_with_the_key_epoch_of_its_own_moment,
    snapshots_keep_the_latest_and_skip_covered,
    erasing_a_document_drops_its_bytes_and_snapshot,
    garbage_waits_for_every_active_device,
    replay_table_refuses_twice_and_prunes,
    relay_id_is_stable_and_newer_schemas_are_refused,
    key_epochs_go_one_at_a_time_to_active_devices_only,
    one_group_answers_each_push_as_if_alone,
    same_envelopes_pushed_at_once_are_stored_once,
    one_group_records_signatures_and_cursors_as_if_alone,
);

on_both_backends!(in quotas:
    envelope_quota_refuses_a_push_whole,
    byte_quota_holds_until_collection_frees_room,
    snapshots_are_bounded_but_may_help_a_full_team,
    erasing_frees_the_bytes_it_drops,
    one_group_judges_each_push_quota_as_if_alone,
    stored_bytes_are_counted_when_a_relay_is_upgraded,
);

on_both_backends!(in snapshot_pages:
    snapshot_pages_keep_document_order_and_limits,
    a_snapshot_batch_is_stored_whole_or_not_at_all,
);

on_both_backends!(in erasure:
    the_team_document_is_never_erased,
    only_an_admin_or_the_first_writer_erases,
    a_push_to_an_erased_document_is_said_to_be_erased,
);

on_both_backends!(in record:
    a_record_team_starts_at_its_founding_entry,
    a_team_without_a_record_keeps_the_older_rules,
    a_team_from_before_gets_its_record_once_at_its_epoch,
    older_membership_writes_refused_on_record_team,
    record_entries_go_on_the_head_only,
    of_two_posts_on_one_head_exactly_one_is_stored,
    a_refused_effect_stores_nothing,
    record_effects_keep_the_tables_in_step,
);
