/* main.c
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "spv-config.h"

#include <glib/gi18n.h>

#include "spv-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(SpvApplication) app = NULL;
  int status;

  g_set_application_name ("Scope Profiler");

  app = spv_application_new ();
  status = g_application_run (G_APPLICATION (app), argc, argv);

  return status != 0 ? status : spv_application_get_exit_status (app);
}
