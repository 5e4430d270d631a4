/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests of the atomic output helper (deeprelax/output.h): a commit replaces the file whole, an
 * abort or a failed write (the ENOSPC test hook) leaves the old bytes and no temporary, a
 * signal handler's cleanup removes the temporary, and the checks a command runs before it
 * computes refuse directories, missing directories and clashes of inputs and outputs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "deeprelax/error.h"
#include "deeprelax/output.h"

static char dir[64], path[128];
static const char old_text[] = "the old content, which must survive\n";

static int setup(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/dr_output_XXXXXX");
    if (!mkdtemp(dir)) return -1;
    snprintf(path, sizeof path, "%s/a.csv", dir);
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    fputs(old_text, f);
    fclose(f);
    chmod(path, 0640);
    unsetenv("DEEPRELAX_TEST_WRITE_FAIL_AFTER");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unsetenv("DEEPRELAX_TEST_WRITE_FAIL_AFTER");
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Entries of the test directory other than . and .. */
static int entries(void)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(d);
    return n;
}

static void assert_content(const char *file, const char *expected)
{
    FILE *f = fopen(file, "r");
    assert_non_null(f);
    char buf[4096];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    assert_string_equal(buf, expected);
}

static void commit_replaces_whole_file(void **state)
{
    (void)state;
    dr_output *o;
    assert_int_equal(dr_output_open(&o, path), DR_SUCCESS);
    fputs("new\n", dr_output_stream(o));
    /* until the commit the old file is what readers see, and the temporary sits beside it */
    assert_content(path, old_text);
    assert_int_equal(entries(), 2);
    assert_int_equal(strncmp(dr_output_temp_path(o), "/", 1), 0);
    assert_int_equal(dr_output_commit(o), DR_SUCCESS);
    assert_content(path, "new\n");
    assert_int_equal(entries(), 1);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0640); /* the replaced file's permissions */
}

static void abort_keeps_old_file(void **state)
{
    (void)state;
    dr_output *o;
    assert_int_equal(dr_output_open(&o, path), DR_SUCCESS);
    fputs("half a ro", dr_output_stream(o));
    dr_output_abort(o);
    assert_content(path, old_text);
    assert_int_equal(entries(), 1);
}

/* The hook fails the write past 100 bytes, as a full disk would; 10000 bytes are written. */
static void full_disk_keeps_old_file(void **state)
{
    (void)state;
    setenv("DEEPRELAX_TEST_WRITE_FAIL_AFTER", "100", 1);
    dr_output *o;
    assert_int_equal(dr_output_open(&o, path), DR_SUCCESS);
    for (int i = 0; i < 1000; i++)
        fputs("123456789\n", dr_output_stream(o));
    assert_int_equal(dr_output_commit(o), DR_EIO);
    const char *msg = dr_error_message();
    assert_non_null(strstr(msg, path));
    assert_non_null(strstr(msg, "No space left on device"));
    assert_null(strstr(msg, ".tmp")); /* the user's file, never the temporary */
    assert_content(path, old_text);
    assert_int_equal(entries(), 1);
    /* a small file fits under the same limit */
    assert_int_equal(dr_output_write_all(path, "short\n", 6), DR_SUCCESS);
    assert_content(path, "short\n");
}

static void signal_cleanup_removes_temporary(void **state)
{
    (void)state;
    dr_output *o;
    assert_int_equal(dr_output_open(&o, path), DR_SUCCESS);
    fputs("interrupted", dr_output_stream(o));
    fflush(dr_output_stream(o));
    assert_int_equal(entries(), 2);
    dr_output_remove_pending(); /* what the CLI's SIGTERM handler calls */
    assert_int_equal(entries(), 1);
    assert_content(path, old_text);
    dr_output_abort(o);
    assert_int_equal(entries(), 1);
}

static void directory_and_missing_directory_refused(void **state)
{
    (void)state;
    char sub[160], missing[160];
    snprintf(sub, sizeof sub, "%s/pic.png", dir);
    assert_int_equal(mkdir(sub, 0755), 0);
    dr_output *o;
    assert_int_equal(dr_output_open(&o, sub), DR_EIO);
    assert_non_null(strstr(dr_error_message(), "is a directory"));
    struct stat st;
    assert_int_equal(stat(sub, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    snprintf(missing, sizeof missing, "%s/nodir/x.png", dir);
    assert_int_equal(dr_output_check(missing), DR_EIO);
    assert_non_null(strstr(dr_error_message(), "does not exist"));
    assert_int_equal(dr_output_check("/dev/null"), DR_SUCCESS);
    assert_int_equal(dr_output_write_all("/dev/null", "x", 1), DR_SUCCESS);
}

static void clashes_refused(void **state)
{
    (void)state;
    char other[160], respelt[200], hardlink[160], fresh[160], fresh2[200];
    snprintf(other, sizeof other, "%s/b.csv", dir);
    snprintf(respelt, sizeof respelt, "%s/./a.csv", dir);
    snprintf(hardlink, sizeof hardlink, "%s/hard.csv", dir);
    snprintf(fresh, sizeof fresh, "%s/new.png", dir);
    snprintf(fresh2, sizeof fresh2, "%s/../%s/new.png", dir, strrchr(dir, '/') + 1);
    assert_int_equal(link(path, hardlink), 0);
    const char *in[] = {path};
    const char *ok[] = {other, fresh};
    assert_int_equal(dr_output_check_files(ok, 2, in, 1), DR_SUCCESS);
    const char *self[] = {respelt};
    assert_int_equal(dr_output_check_files(self, 1, in, 1), DR_EINVAL);
    assert_non_null(strstr(dr_error_message(), "is the input"));
    const char *hard[] = {hardlink};
    assert_int_equal(dr_output_check_files(hard, 1, in, 1), DR_EINVAL);
    const char *twice[] = {fresh, other, fresh2};
    assert_int_equal(dr_output_check_files(twice, 3, NULL, 0), DR_EINVAL);
    assert_non_null(strstr(dr_error_message(), "same file"));
}

/* A symlinked output: the file it points to is replaced and the link stays a link. */
static void symlink_target_replaced(void **state)
{
    (void)state;
    char link[160];
    snprintf(link, sizeof link, "%s/link.csv", dir);
    assert_int_equal(symlink("a.csv", link), 0);
    assert_int_equal(dr_output_write_all(link, "via link\n", 9), DR_SUCCESS);
    struct stat st;
    assert_int_equal(lstat(link, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    assert_content(path, "via link\n");
    assert_int_equal(entries(), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(commit_replaces_whole_file, setup, teardown),
        cmocka_unit_test_setup_teardown(abort_keeps_old_file, setup, teardown),
        cmocka_unit_test_setup_teardown(full_disk_keeps_old_file, setup, teardown),
        cmocka_unit_test_setup_teardown(signal_cleanup_removes_temporary, setup, teardown),
        cmocka_unit_test_setup_teardown(directory_and_missing_directory_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(clashes_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(symlink_target_replaced, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
