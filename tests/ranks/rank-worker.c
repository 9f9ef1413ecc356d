/* rank-worker.c — one rank of a multi-process test run.
 *
 * rank-worker OUTPUT [--mpi] [--die] [--timeout SECONDS]
 *
 * Records (rank + 1) × 100 calls of "work" and 7 calls of "rank-<N>", then
 * finalizes into OUTPUT. --die kills the process before finalize; --mpi
 * initialises MPI first (when the library was built with it).
 */

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#ifdef HAVE_MPI
# include <mpi.h>
#endif

#include <scope-profiler.h>

int
main (int   argc,
      char *argv[])
{
  SpProfileManager *manager = sp_profile_manager_get_default ();
  g_autoptr(SpConfig) config = sp_config_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *own = NULL;
  gboolean use_mpi = FALSE, die = FALSE;
  guint timeout = 30;
  SpRegion *work, *mine;
  int rank;

  for (int i = 2; i < argc; i++)
    {
      if (strcmp (argv[i], "--mpi") == 0)
        use_mpi = TRUE;
      else if (strcmp (argv[i], "--die") == 0)
        die = TRUE;
      else if (strcmp (argv[i], "--timeout") == 0 && i + 1 < argc)
        timeout = atoi (argv[++i]);
    }

#ifdef HAVE_MPI
  if (use_mpi)
    MPI_Init (&argc, &argv);
#else
  if (use_mpi)
    {
      g_printerr ("built without MPI\n");
      return 77;
    }
#endif

  sp_config_set_file_path (config, argv[1]);
  sp_config_set_verbose (config, FALSE);
  sp_config_set_buffer_limit (config, 64);
  sp_config_set_merge_timeout (config, timeout);
  sp_profile_manager_setup (manager, config);

  /* The rank the profiler sees is the one the file must show. */
  rank = (int) g_ascii_strtoll (g_getenv ("OMPI_COMM_WORLD_RANK") ? g_getenv ("OMPI_COMM_WORLD_RANK") : "0", NULL, 10);
#ifdef HAVE_MPI
  if (use_mpi)
    MPI_Comm_rank (MPI_COMM_WORLD, &rank);
#endif

  own = g_strdup_printf ("rank-%d", rank);
  work = sp_profile_manager_profile_region (manager, "work");
  mine = sp_profile_manager_profile_region (manager, own);

  for (int i = 0; i < (rank + 1) * 100; i++)
    {
      sp_region_enter (work);
      sp_region_exit (work);
    }
  for (int i = 0; i < 7; i++)
    {
      sp_region_enter (mine);
      sp_region_exit (mine);
    }

  if (die)
    kill (getpid (), SIGKILL);

  if (!sp_profile_manager_finalize (manager, &error))
    {
      g_printerr ("rank %d: %s\n", rank, error->message);
      return 1;
    }

#ifdef HAVE_MPI
  if (use_mpi)
    MPI_Finalize ();
#endif

  return 0;
}
