/* simulation.c — a toy time-stepping code instrumented with scope-profiler.
 *
 * Build (installed library):
 *   cc simulation.c $(pkg-config --cflags --libs scope-profiler-1) -lm
 *
 * Run:
 *   ./simulation [SESSION.h5] [STEPS]
 *
 * It prints the per-region summary and writes SESSION.h5 (default
 * "profiling_data.h5"), which the viewer and the Python scope-profiler open.
 */

#include <math.h>
#include <stdlib.h>
#include <scope-profiler.h>

#define N 4096

static double state[N];
static double rhs[N];

static void
compute_rhs (void)
{
  SP_PROFILE_FUNCTION ();

  for (int i = 1; i < N - 1; i++)
    rhs[i] = state[i - 1] - 2.0 * state[i] + state[i + 1];
}

static void
state_update (double dt)
{
  SP_PROFILE_SCOPE ("state_update");

  for (int i = 0; i < N; i++)
    state[i] += dt * rhs[i];
}

static double
norm (void)
{
  SP_PROFILE_SCOPE ("diagnostics");
  double sum = 0;

  for (int i = 0; i < N; i++)
    sum += state[i] * state[i];

  return sqrt (sum);
}

static gpointer
io_thread (gpointer data)
{
  SpRegion *region = sp_profile_manager_profile_region (sp_profile_manager_get_default (), "checkpoint");
  guint steps = GPOINTER_TO_UINT (data);

  for (guint i = 0; i < steps / 10; i++)
    {
      sp_region_enter (region);
      g_usleep (200);
      sp_region_exit (region);
    }

  return NULL;
}

int
main (int   argc,
      char *argv[])
{
  SpProfileManager *manager = sp_profile_manager_get_default ();
  g_autoptr(SpConfig) config = sp_config_new ();
  g_autoptr(GError) error = NULL;
  const char *path = argc > 1 ? argv[1] : "profiling_data.h5";
  guint steps = argc > 2 ? (guint) atoi (argv[2]) : 2000;
  GThread *thread;
  double result = 0;

  sp_config_set_file_path (config, path);
  sp_profile_manager_setup (manager, config);

  for (int i = 0; i < N; i++)
    state[i] = sin (i * 0.01);

  thread = g_thread_new ("io", io_thread, GUINT_TO_POINTER (steps));

  {
    SP_PROFILE_SCOPE ("main");

    for (guint step = 0; step < steps; step++)
      {
        SP_PROFILE_SCOPE ("time_step");

        compute_rhs ();
        state_update (0.1);
        if (step % 100 == 0)
          result += norm ();
      }
  }

  g_thread_join (thread);

  if (!sp_profile_manager_finalize (manager, &error))
    {
      g_printerr ("Could not write the session: %s\n", error->message);
      return 1;
    }

  g_print ("Session written to %s (checksum %.3f)\n", path, result);

  return 0;
}
