package io.redtask.jmx;

import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanOperationInfo;
import javax.management.StandardMBean;
import java.util.Map;

/** An MXBean whose attributes and operations carry the descriptions JConsole shows as tooltips. */
final class DescribedMBean<T> extends StandardMBean {

    private final String description;
    private final Map<String, String> descriptions;

    DescribedMBean(T implementation, Class<T> type, String description, Map<String, String> descriptions) {
        super(implementation, type, true);
        this.description = description;
        this.descriptions = descriptions;
    }

    @Override
    protected String getDescription(MBeanInfo info) {
        return description;
    }

    @Override
    protected String getDescription(MBeanAttributeInfo info) {
        return descriptions.getOrDefault(info.getName(), info.getDescription());
    }

    @Override
    protected String getDescription(MBeanOperationInfo info) {
        return descriptions.getOrDefault(info.getName(), info.getDescription());
    }
}
