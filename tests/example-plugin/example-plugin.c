/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwPluginExample"

/*
 * The smallest useful plugin, built out of the tree against the installed SDK:
 *
 *   cc -shared -fPIC -fvisibility=hidden -o libigw_plugin_example.so \
 *      example-plugin.c $(pkg-config --cflags --libs iotgw-plugin)
 *
 * and copied into $(pkg-config --variable=plugindir iotgw-plugin). It adds
 * one thing, example:answer, with one field that always reads 42.
 */

#include <iotgw-plugin.h>

static gboolean
example_startup(IgwPlugin *plugin, GError **error)
{
	IgwContext *context = igw_plugin_get_context(plugin);
	g_autoptr(IgwThing) thing = igw_thing_new("example:answer", "example");
	g_autoptr(IgwField) field = igw_field_new("answer", IGW_FIELD_TYPE_INTEGER);
	g_autoptr(IgwReading) reading = NULL;

	igw_field_set_category(field, IGW_FIELD_CATEGORY_MOMENTARY);
	igw_thing_add_field(thing, field);
	igw_thing_set_name(thing, "The answer");
	if (!igw_context_add_thing(context, thing, error))
		return FALSE;
	igw_context_set_reachable(context, "example:answer", TRUE);
	reading =
	    igw_reading_new("example:answer", "answer", g_variant_new_int64(42), g_get_real_time());
	igw_context_report_reading(context, reading);
	igw_plugin_set_status(plugin, "one thing, always 42");
	return TRUE;
}

IGW_PLUGIN_DEFINE(example)
{
	vfuncs->startup = example_startup;
}
