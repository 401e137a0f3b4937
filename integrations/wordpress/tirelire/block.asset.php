<?php
/**
 * What the block's editor script needs from WordPress.
 *
 * @package Tirelire
 */

return array(
	'dependencies' => array( 'wp-blocks', 'wp-element', 'wp-block-editor', 'wp-components' ),
	'version'      => '0.1.0',
);
